/**
 * The YAML store against the real sops binary: sops decrypts what kmseal seals (MAC included) and
 * kmseal decrypts what sops seals. sops re-serialises YAML (4-space indent, comments moved, aliases
 * expanded, timestamps normalised), so files are compared as data. Skips when sops is not installed.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "../../../src/core/document.js";
import { metadataFromPlain } from "../../../src/core/metadata.js";
import { compilePolicy } from "../../../src/core/policy.js";
import type { Leaf } from "../../../src/core/tree.js";
import { canonicalBytes } from "../../../src/core/value.js";
import { goYamlTimestamp } from "../../../src/stores/yaml/timestamp.js";
import { yamlStore } from "../../../src/stores/yaml/store.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { ageRecord, bytes, sealDocument, text, unwrapDataKey } from "../sealing.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SOPS = join(process.env["KMSEAL_PEERS_BIN"] ?? join(ROOT, ".peers", "bin"), "sops");
const skip = existsSync(SOPS) ? false : `sops is not installed at ${SOPS} (run scripts/install-peers.sh)`;
const FIXTURES = ["basic.yaml", "comments.yaml", "blocks.yaml", "multi.yaml", "aliases.yaml"];
const TYPES = ["--input-type", "yaml", "--output-type", "yaml"];

const work = mkdtempSync(join(tmpdir(), "kmseal-yaml-sops-"));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function sops(args: string[], file: string, input: Uint8Array): Buffer {
  const path = join(work, file);
  writeFileSync(path, input);
  const env = { ...process.env, SOPS_AGE_KEY: TEST_AGE_IDENTITY, SOPS_DISABLE_VERSION_CHECK: "1" };
  return execFileSync(SOPS, [...args, path], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
}

/** A value as data: numbers by the value sops hashes, timestamps by the instant they name. */
function datum(leaf: Leaf): string {
  const kind = leaf.value.type === "int" || leaf.value.type === "float" ? "number" : leaf.value.type;
  const plain = text(canonicalBytes(leaf.value));
  const time = leaf.value.type === "str" ? goYamlTimestamp(plain) : null;
  return `${leaf.path.join("/")} ${kind} ${time !== null && "text" in time ? time.text : plain}`;
}

const data = (file: Uint8Array) =>
  yamlStore
    .parse(file)
    .leaves.filter((l) => l.kind === "value")
    .map(datum);
const comments = (file: Uint8Array) =>
  yamlStore
    .parse(file)
    .leaves.filter((l) => l.kind === "comment")
    .map((l) => text(l.value.bytes))
    .sort();

async function kmsealOpen(sealed: Uint8Array): Promise<Uint8Array> {
  const doc = yamlStore.parse(sealed);
  const meta = metadataFromPlain(doc.metadata);
  const opened = open(doc.leaves, meta, await unwrapDataKey(doc.metadata), compilePolicy(meta.rule));
  assert.deepEqual(opened.warnings, []);
  return doc.render(opened.edits, null);
}

describe("yaml store and sops 3.13", { skip }, () => {
  for (const name of FIXTURES) {
    const input = readFileSync(join(ROOT, "fixtures", "plain", name));

    it(`sops decrypts ${name} as kmseal sealed it, comments included`, async () => {
      const out = sops(["decrypt", ...TYPES], `kmseal-${name}`, sealDocument(yamlStore, input, await ageRecord()));
      assert.deepEqual(data(out), data(input));
      assert.deepEqual(comments(out), comments(input));
    });

    it(`kmseal decrypts ${name} as sops sealed it`, async () => {
      const sealed = sops(["encrypt", ...TYPES, "--age", TEST_AGE_RECIPIENT], `sops-${name}`, input);
      const out = await kmsealOpen(sealed);
      assert.deepEqual(data(out), data(input));
      assert.deepEqual(comments(out), comments(input));
    });
  }

  it("agrees with sops on the MAC of unencrypted timestamps, which sops hashes as Go times", async () => {
    const input = bytes("when_unencrypted: 2024-05-01\nlist_unencrypted: [2024-1-2 3:04:05.5, 2001-12-14t21:59:43.10-05:00]\nsecret: 2024-05-01\n");
    const out = sops(["decrypt", ...TYPES], "times.yaml", sealDocument(yamlStore, input, await ageRecord()));
    assert.deepEqual(data(out), data(input));
    const fromSops = sops(["encrypt", ...TYPES, "--age", TEST_AGE_RECIPIENT], "times-sops.yaml", input);
    assert.deepEqual(data(await kmsealOpen(fromSops)), data(input));
  });

  it("sops decrypts every comment kmseal sealed, whatever the layout (no 'possibly unencrypted comment' warning)", async () => {
    const layouts = [
      "seq:\n- a\n# c0\n",
      "db:\n# c0\n  user: x\n",
      "x:\n  y:\n    z: 1\n  # c2\n",
      "x:\n  y:\n    z: 1\n  # c2\n    # c4\n  w: 1\n",
      "a:\n  b:\n    c: 1\n\n# c0\n  d: 2\n",
      "l:\n- a\n  # c2\n",
      "k:\n  - name: x\n    sub:\n      - 1\n      # c6\n    # c4\n  # c2\n# c0\n",
      "b:\n  d: [1, 2] # after flow\nf: {a: 1, # in flow\n  b: 2}\n",
      "list:\n  - name: a\n    # c4\n    v: 1\n  # c2\n  - name: b\n",
      "---\n# head\na: 1\n...\n# between\n---\nb: 1\n# tail\n",
    ];
    const key = await ageRecord();
    for (const [i, layout] of layouts.entries()) {
      const path = join(work, `layout-${i}.yaml`);
      writeFileSync(path, sealDocument(yamlStore, bytes(layout), key));
      const env = { ...process.env, SOPS_AGE_KEY: TEST_AGE_IDENTITY, SOPS_DISABLE_VERSION_CHECK: "1" };
      const run = spawnSync(SOPS, ["decrypt", ...TYPES, path], { cwd: work, env });
      assert.equal(run.status, 0, run.stderr.toString());
      assert.equal(run.stderr.toString(), "", JSON.stringify(layout));
      assert.deepEqual(comments(run.stdout), comments(bytes(layout)));
    }
  });

  it("sops decrypts the sops-format.md §12.1 vector that the yaml store tests decrypt", () => {
    const out = sops(["decrypt", ...TYPES], "vector.yaml", readFileSync(join(ROOT, "fixtures", "sealed", "sops-vector.enc.yaml")));
    assert.equal(
      text(out),
      "# database settings\ndb:\n    user: admin\n    password: s3cr3t\n    port: 5432\n    debug_unencrypted: true\ntags:\n    - alpha\n    - beta\nenabled: false\nratio: 0.5\n",
    );
  });
});
