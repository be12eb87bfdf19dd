import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { metadataFromPlain, metadataToPlain, type KmsRecord } from "../../../src/core/metadata.js";
import { check, type CheckOptions } from "../../../src/ops/inspect/check.js";
import { encryptFile } from "../../../src/ops/encrypt.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { formatOf } from "../../../src/stores/file-name.js";
import { loadStore } from "../../../src/stores/registry.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { git, removeDir, tempRepo, writeFiles } from "../../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
const KMSRC = `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n  - path: "**/.env.*"\n    age: [${TEST_AGE_RECIPIENT}]\n    encrypted_regex: "^(PASSWORD|TOKEN)$"\n`;

function project(files: Record<string, string> = {}): string {
  const dir = tempRepo({ ".kmsrc": KMSRC, ...files });
  dirs.push(dir);
  return dir;
}

/** Writes the plaintext, encrypts it beside itself with the test age key, and removes the plaintext. */
async function sealed(dir: string, rel: string, text: string, keys: { age?: string[] } = {}): Promise<string> {
  writeFiles(dir, { [rel]: text });
  const r = await encryptFile(join(dir, rel), keys, services);
  rmSync(join(dir, rel));
  return r.path!;
}

/** Rewrites an encrypted file's metadata (what a hand edit or another tool could leave). */
async function editMetadata(path: string, kms: Partial<KmsRecord>[]): Promise<void> {
  const doc = (await loadStore(formatOf(path))).parse(readFileSync(path));
  const meta = metadataFromPlain(doc.metadata);
  const records: KmsRecord[] = kms.map((k) => ({
    type: "kms",
    arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    awsProfile: "",
    context: undefined,
    createdAt: "2024-01-01T00:00:00Z",
    enc: "AQIDBA==",
    role: undefined,
    ...k,
  }));
  writeFileSync(
    path,
    doc.render(
      doc.leaves.map(() => undefined),
      metadataToPlain({ ...meta, keys: [...meta.keys, ...records] }),
    ),
  );
}

const run = (dir: string, opts: CheckOptions) => check({ cwd: dir, ...opts });

describe("check", () => {
  it("passes encrypted covered files and ignores files no rule covers", async () => {
    const dir = project({ "notes.txt": "password: not covered\n", "blob.enc": "random bytes, another tool's" });
    await sealed(dir, "config/app.json", '{"password": "s3cret", "port": 5432}');
    await sealed(dir, "svc/.env.prod", "PASSWORD=s3cret\nHOST=db\n");
    const report = await run(dir, { files: ["config/app.enc.json", "svc/.env.prod.enc", "notes.txt", "blob.enc"] });
    assert.deepEqual(report, { ok: true, checked: 2, errors: 0, warnings: 0, findings: [] });
  });

  it("fails on a covered plaintext file with the command that fixes it", async () => {
    const dir = project({ "config/app.json": '{"password": "s3cret"}', "config/copy.enc.json": '{"password": "s3cret"}' });
    const report = await run(dir, { files: ["config/app.json", "config/copy.enc.json"] });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.kind, f.severity, f.fix]),
      [
        [
          "config/app.json",
          "plaintext-file",
          "error",
          "kmseal encrypt config/app.json && git rm --cached --ignore-unmatch -q config/app.json && git add config/app.enc.json",
        ],
        ["config/copy.enc.json", "plaintext-file", "error", "kmseal encrypt -i config/copy.enc.json"],
      ],
    );
    assert.doesNotMatch(JSON.stringify(report), /s3cret/);
  });

  it("fails on a plaintext value where the file's own crypt rule encrypts, never on other values", async () => {
    const dir = project();
    const env = await sealed(dir, "svc/.env.prod", "PASSWORD=s3cret\nHOST=db\n");
    writeFileSync(env, readFileSync(env, "utf8") + "TOKEN=hand-added\nPORT=5432\n");
    const json = await sealed(dir, "config/app.json", '{"a": {"password": "x", "empty": "", "none": null, "note_unencrypted": "plain"}}');
    writeFileSync(
      json,
      readFileSync(json, "utf8").replace('"empty": ""', '"empty": "", "port": 5432, "list": ["ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]"]'),
    );
    const report = await run(dir, { files: [env, json] });
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.keyPath, f.kind]),
      [
        ["svc/.env.prod.enc", "TOKEN", "plaintext-value"],
        ["config/app.enc.json", "a.port", "plaintext-value"],
        ["config/app.enc.json", "a.list", "malformed-value"],
      ],
    );
    assert.match(report.findings[0]!.fix, /kmseal set svc\/\.env\.prod\.enc TOKEN/);
    assert.doesNotMatch(JSON.stringify(report), /hand-added|5432/);
  });

  it("fails on an unreadable encrypted file", async () => {
    const dir = project({ "config/bad.enc.json": '{"a": ' });
    const report = await run(dir, { files: ["config/bad.enc.json"] });
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.severity]),
      [["unreadable", "error"]],
    );
    assert.match(report.findings[0]!.fix, /git checkout HEAD -- config\/bad\.enc\.json, or encrypt it again: kmseal encrypt config\/bad\.json/);
  });

  it("fails on a KMS `file` context that is not the file's path, and warns on a KMS key bound to no path", async () => {
    const dir = project();
    const copy = await sealed(dir, "config/copy.json", '{"a": "b"}');
    await editMetadata(copy, [{ context: { file: "config/app.enc.json" } }]);
    const unbound = await sealed(dir, "config/unbound.json", '{"a": "b"}');
    await editMetadata(unbound, [{}]);
    const report = await run(dir, { files: [copy, unbound] });
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.kind, f.severity]),
      [
        ["config/copy.enc.json", "context-mismatch", "error"],
        ["config/copy.enc.json", "keys-differ", "warning"], // the added KMS key is not in the rule
        ["config/unbound.enc.json", "context-missing", "warning"],
        ["config/unbound.enc.json", "keys-differ", "warning"],
      ],
    );
    const moved = report.findings[0];
    assert.match(moved!.message, /bound to path "config\/app\.enc\.json" .* but is at "config\/copy\.enc\.json"/);
    assert.equal(moved!.fix, "git mv config/copy.enc.json config/app.enc.json && kmseal mv config/app.enc.json config/copy.enc.json");
  });

  it("warns when the keys differ from the rule's, and fails with --strict", async () => {
    const dir = project();
    const file = await sealed(dir, "config/app.json", '{"a": "b"}');
    writeFileSync(join(dir, ".kmsrc-rotated"), `rules:\n  - path: "config/**"\n    age: [age1otherrecipient]\n    kms: [alias/app]\n`);
    const lenient = await run(dir, { files: [file], configPath: join(dir, ".kmsrc-rotated") });
    assert.equal(lenient.ok, true);
    assert.deepEqual(
      lenient.findings.map((f) => [f.kind, f.severity, f.fix]),
      [["keys-differ", "warning", "kmseal updatekeys config/app.enc.json"]],
    );
    assert.match(
      lenient.findings[0]!.message,
      /age recipient age1otherrecipient missing; age recipient age1\w+ not in the rule; the rule names 1 KMS key\(s\), the file has 0/,
    );
    const strict = await run(dir, { files: [file], configPath: join(dir, ".kmsrc-rotated"), strict: true });
    assert.deepEqual([strict.ok, strict.errors], [false, 1]);
  });

  it("--staged reads the index: a working-tree fix does not hide a staged plaintext file", async () => {
    const dir = project({ "config/app.json": '{"password": "s3cret"}' });
    git(dir, "add", "config/app.json");
    rmSync(join(dir, "config/app.json"));
    await sealed(dir, "config/db.json", '{"password": "x"}');
    git(dir, "add", "config/db.enc.json");
    const report = await run(dir, { staged: true });
    assert.deepEqual([report.checked, report.findings.map((f) => [f.file, f.kind])], [2, [["config/app.json", "plaintext-file"]]]);
    assert.match(report.findings[0]!.message, /is staged/);
  });

  it("by default checks what a commit could contain: tracked and unignored files, not ignored plaintext", async () => {
    const dir = project({ ".gitignore": "config/app.json\n", "config/app.json": "{}", "config/db.json": "{}" });
    const report = await run(dir, {});
    assert.deepEqual(
      report.findings.map((f) => f.file),
      ["config/db.json"],
    );
  });

  it("reports paths relative to the working directory", async () => {
    const dir = project({ "config/app.json": "{}" });
    const report = await check({ cwd: join(dir, "config"), files: ["app.json"] });
    assert.equal(report.findings[0]!.file, "app.json");
    assert.match(report.findings[0]!.fix, /^kmseal encrypt app\.json /);
  });

  it("checks 200 staged encrypted files quickly", async () => {
    const dir = project();
    for (let i = 0; i < 200; i++) await sealed(dir, `config/s${i}.json`, `{"password": "p${i}", "user": "u${i}"}`);
    git(dir, "add", "-A");
    const start = performance.now();
    const report = await run(dir, { staged: true });
    const ms = performance.now() - start;
    assert.deepEqual([report.ok, report.checked], [true, 200]);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  it("fails on the plaintext copy of an encrypted file that no rule covers and git does not ignore", async () => {
    const dir = project({ ".gitignore": "/keep/app.json\n" });
    // No rule covers other/: the key is named, as encrypt requires there.
    const enc = await sealed(dir, "other/app.json", '{"password": "s3cret"}', { age: [TEST_AGE_RECIPIENT] });
    writeFiles(dir, { "other/app.json": '{"password": "s3cret"}', "keep/app.json": '{"password": "s3cret"}', "keep/app.enc.json": readFileSync(enc, "utf8") });
    const report = await run(dir, {});
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.kind, f.severity, f.message, f.fix]),
      [
        [
          "other/app.json",
          "plaintext-copy",
          "error",
          "plaintext copy of other/app.enc.json could be committed: git does not ignore it",
          "add the line /other/app.json to .gitignore (kmseal init --update adds the lines for every .kmsrc rule)",
        ],
      ],
    );
    git(dir, "add", "other/app.json");
    const staged = await run(dir, { staged: true });
    assert.deepEqual(
      staged.findings.map((f) => [f.kind, f.message, f.fix]),
      [
        [
          "plaintext-copy",
          "plaintext copy of other/app.enc.json is staged",
          'add the line /other/app.json to .gitignore and take it out of the index: git rm --cached "other/app.json" (kmseal init --update adds the lines for every .kmsrc rule)',
        ],
      ],
    );
    assert.doesNotMatch(JSON.stringify([report, staged]), /s3cret/);
  });
});
