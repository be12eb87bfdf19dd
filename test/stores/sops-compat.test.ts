/**
 * The stores against the real sops binary: sops decrypts what kmseal's stores and core write, and
 * kmseal decrypts what sops writes. Skips when the binary is not installed (scripts/install-peers.sh).
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "../../src/core/document.js";
import { metadataFromPlain } from "../../src/core/metadata.js";
import { compilePolicy } from "../../src/core/policy.js";
import { canonicalBytes } from "../../src/core/value.js";
import { binaryStore } from "../../src/stores/binary/store.js";
import { dotenvStore } from "../../src/stores/dotenv/store.js";
import { unescapeNewlines } from "../../src/stores/dotenv/scanner.js";
import { interpretDotenv } from "../../src/stores/dotenv/value.js";
import { jsonStore } from "../../src/stores/json/store.js";
import type { Format, Store } from "../../src/stores/store.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { ageRecord, sealDocument, text, unwrapDataKey } from "./sealing.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SOPS = join(process.env["KMSEAL_PEERS_BIN"] ?? join(ROOT, ".peers", "bin"), "sops");
const skip = existsSync(SOPS) ? false : `sops is not installed at ${SOPS} (run scripts/install-peers.sh)`;

const FIXTURES: [name: string, format: Format, store: Store][] = [
  ["basic.json", "json", jsonStore],
  ["tabs.json", "json", jsonStore],
  ["basic.env", "dotenv", dotenvStore],
  ["crlf.env", "dotenv", dotenvStore],
  ["multiline.env", "dotenv", dotenvStore],
  ["blob.bin", "binary", binaryStore],
];

const work = mkdtempSync(join(tmpdir(), "kmseal-sops-compat-"));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function sops(args: string[], file: string, input: Uint8Array): Buffer {
  const path = join(work, file);
  writeFileSync(path, input);
  const env = { ...process.env, SOPS_AGE_KEY: TEST_AGE_IDENTITY, SOPS_DISABLE_VERSION_CHECK: "1" };
  return execFileSync(SOPS, [...args, path], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
}

/** JSON as data: every value with its path, numbers compared by the value sops hashes. */
function jsonData(bytes: Uint8Array): string[] {
  return jsonStore.parse(bytes).leaves.map((l) => {
    const kind = l.value.type === "int" || l.value.type === "float" ? "number" : l.value.type;
    return `${l.path.join("/")} ${kind} ${text(canonicalBytes(l.value))}`;
  });
}

/** A dotenv file's lines as sops itself reads them (blank lines dropped, `\n` escapes unescaped). */
function sopsLines(bytes: Uint8Array): string[] {
  return text(bytes)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) =>
      line.startsWith("#") ? line : line.slice(0, line.indexOf("=") + 1) + text(unescapeNewlines(Buffer.from(line.slice(line.indexOf("=") + 1)))),
    );
}

/** The same for a plaintext file as kmseal reads it. */
function kmsealLines(bytes: Uint8Array): string[] {
  return dotenvStore.parse(bytes).leaves.map((l) => (l.kind === "comment" ? "#" : `${l.path[0]}=`) + text(l.value.bytes));
}

/** A line as sops writes it: real newlines as `\n`. */
const escaped = (line: string) => line.replaceAll("\n", "\\n");

const meaning = (bytes: Uint8Array) =>
  dotenvStore.parse(bytes).leaves.flatMap((l) => (l.kind === "value" ? [interpretDotenv(l.path[0]!, text(l.value.bytes))] : []));

/** A rendition of a plaintext dotenv file that sops can read: one line per leaf, newlines escaped. */
function sopsReadable(bytes: Uint8Array): Buffer {
  return Buffer.from(
    kmsealLines(bytes)
      .map((line) => escaped(line) + "\n")
      .join(""),
    "utf8",
  );
}

describe("stores and sops 3.13", { skip }, () => {
  for (const [name, format, store] of FIXTURES) {
    const input = readFileSync(join(ROOT, "fixtures", "plain", name));
    const types = ["--input-type", format, "--output-type", format];

    it(`sops decrypts ${name} as kmseal sealed it`, async () => {
      const sealed = sealDocument(store, input, await ageRecord());
      const out = sops(["decrypt", ...types], `kmseal-${name}`, sealed);
      if (format === "json") assert.deepEqual(jsonData(out), jsonData(input));
      else if (format === "dotenv")
        assert.deepEqual(
          text(out)
            .split("\n")
            .filter((l) => l !== ""),
          kmsealLines(input).map(escaped),
        );
      else assert.deepEqual(out, input);
    });

    it(`kmseal decrypts ${name} as sops sealed it`, async () => {
      const plain = format === "dotenv" ? sopsReadable(input) : input;
      const sealed = sops(["encrypt", ...types, "--age", TEST_AGE_RECIPIENT], `sops-${name}`, plain);
      const doc = store.parse(sealed);
      const meta = metadataFromPlain(doc.metadata);
      const opened = open(doc.leaves, meta, await unwrapDataKey(doc.metadata), compilePolicy(meta.rule));
      const out = doc.render(opened.edits, null);
      if (format === "json") {
        assert.deepEqual(jsonData(out), jsonData(input));
      } else if (format === "dotenv") {
        assert.deepEqual(kmsealLines(out).map(escaped), kmsealLines(plain));
        assert.deepEqual(meaning(out), meaning(input));
        const sopsOwn = sops(["decrypt", ...types], `sops-own-${name}`, sealed);
        assert.deepEqual(kmsealLines(out), sopsLines(sopsOwn));
      } else {
        assert.deepEqual(Buffer.from(out), input);
      }
    });
  }

  it("sops decrypts the sops-format.md §12.2 vector that the dotenv store tests decrypt", () => {
    const vector = readFileSync(join(ROOT, "fixtures", "sealed", "sops-vector.enc.env"));
    const out = sops(["decrypt", "--input-type", "dotenv", "--output-type", "dotenv"], "vector.env", vector);
    assert.equal(text(out), "# comment line\nDB_USER=admin\nDB_PASSWORD=s3cr3t\nGREETING=hello\\nworld\nLOG_LEVEL_unencrypted=debug\n");
  });

  it("kmseal decrypts a sops-sealed CRLF dotenv file to the same bytes as sops", async () => {
    const input = readFileSync(join(ROOT, "fixtures", "plain", "crlf.env"));
    const sealed = sops(["encrypt", "--input-type", "dotenv", "--output-type", "dotenv", "--age", TEST_AGE_RECIPIENT], "crlf-bytes.env", input);
    const doc = dotenvStore.parse(sealed);
    const meta = metadataFromPlain(doc.metadata);
    const out = doc.render(open(doc.leaves, meta, await unwrapDataKey(doc.metadata), compilePolicy(meta.rule)).edits, null);
    assert.equal(text(out), text(input));
  });
});
