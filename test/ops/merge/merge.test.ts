import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DecryptCommand } from "@aws-sdk/client-kms";
import { decryptFile } from "../../../src/ops/decrypt.js";
import { decryptToPlaintext } from "../../../src/ops/sealing/sealed-file.js";
import { formatOf } from "../../../src/stores/file-name.js";
import { encryptFile } from "../../../src/ops/encrypt.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { parseKeyPath } from "../../../src/stores/edit/key-path.js";
import { markers, mergeFiles } from "../../../src/ops/merge/merge.js";
import { rotateFile } from "../../../src/ops/rekey.js";
import { setValue, unsetValue } from "../../../src/ops/set.js";
import { loadStore } from "../../../src/stores/registry.js";
import { cli } from "../../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../../helpers/fake-kms.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { testdir } from "../../helpers/testdir.js";

const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" }, notice: () => undefined });
const str = (value: string) => ({ type: "str" as const, value });

/** base/ours/theirs copies of one encrypted file, named like git's temporaries would not be. */
async function versions(plain: string, ext: string) {
  const dir = testdir({ [`base${ext}`]: plain });
  const base = (await encryptFile(join(dir, `base${ext}`), { age: [TEST_AGE_RECIPIENT] }, services)).path!;
  const ours = join(dir, `ours.enc${ext}`);
  const theirs = join(dir, `theirs.enc${ext}`);
  copyFileSync(base, ours);
  copyFileSync(base, theirs);
  return { dir, base, ours, theirs, files: { base, ours, theirs, path: `config/app.enc${ext}` } };
}

const set = (file: string, path: string, value: string) => setValue(file, parseKeyPath(path), str(value), {}, services);
const plaintextOf = async (file: string) => Buffer.from((await decryptFile(file, { stdout: true }, services)).bytes).toString("utf8");
/** What `kmseal edit` shows of a conflicted file (decrypt refuses it). */
const conflictedPlaintextOf = async (file: string) => Buffer.from(await decryptToPlaintext(readFileSync(file), formatOf(file), {}, services)).toString("utf8");
const conflictRecordOf = async (file: string) => {
  const meta = (await loadStore(formatOf(file))).parse(readFileSync(file)).metadata as Record<string, unknown> | null;
  return meta?.["kmseal_conflict"];
};
/** The stored (encrypted) text of each value leaf, by key path. */
async function ciphertexts(file: string): Promise<Map<string, string>> {
  const doc = (await loadStore(file.endsWith(".json") ? "json" : "yaml")).parse(readFileSync(file));
  return new Map(doc.leaves.filter((l) => l.kind === "value").map((l) => [l.path.join("."), Buffer.from(l.value.bytes).toString("utf8")]));
}

describe("mergeFiles", () => {
  it("merges changes to different keys, keeping every unchanged value's ciphertext and theirs' for their change", async () => {
    const v = await versions("# settings\ndb:\n  user: app\n  password: one\napi:\n  token: t1\n", ".yaml");
    await set(v.ours, "db.password", "two");
    await set(v.theirs, "api.token", "t2");
    const theirsCipher = await ciphertexts(v.theirs);
    const baseCipher = await ciphertexts(v.base);
    assert.deepEqual(await mergeFiles(v.files, services), { kind: "merged", written: true });
    assert.equal(await plaintextOf(v.ours), "# settings\ndb:\n  user: app\n  password: two\napi:\n  token: t2\n");
    const merged = await ciphertexts(v.ours);
    assert.equal(merged.get("db.user"), baseCipher.get("db.user"));
    assert.equal(merged.get("api.token"), theirsCipher.get("api.token"));
  });

  it("adds new keys as block lines and removes keys deleted on one side", async () => {
    const v = await versions("a: 1\nold: x\n", ".yaml");
    await set(v.ours, "b", "2");
    await set(v.theirs, "redis.host", "h");
    await unsetValue(v.theirs, ["old"], {}, services);
    assert.equal((await mergeFiles(v.files, services)).kind, "merged");
    assert.equal(await plaintextOf(v.ours), 'a: 1\nb: "2"\nredis:\n  host: h\n');
  });

  it("marks a conflict inside the encrypted value, names its key path and writes no plaintext", async () => {
    const v = await versions("db:\n  password: one\nother: o\n", ".yaml");
    await set(v.ours, "db.password", "mine-secret");
    await set(v.theirs, "db.password", "their-secret");
    await set(v.theirs, "other", "changed");
    const r = await mergeFiles(v.files, services);
    assert.deepEqual(r, { kind: "conflict", keyPaths: ["db.password"], problems: [], written: true });
    const raw = readFileSync(v.ours, "utf8");
    assert.doesNotMatch(raw, /mine-secret|their-secret|<<<<<<</);
    assert.equal(await conflictRecordOf(v.ours), "unresolved merge conflict: values changed on both sides: db.password");
    await assert.rejects(plaintextOf(v.ours), { code: "integrity" });
    const plain = await conflictedPlaintextOf(v.ours);
    assert.match(plain, /password: "<<<<<<< ours\\nmine-secret\\n=======\\ntheir-secret\\n>>>>>>> theirs"/);
    assert.match(plain, /other: changed/);
  });

  it("merges JSON by key", async () => {
    const v = await versions('{\n  "a": "1",\n  "b": {"c": "2"}\n}\n', ".json");
    await set(v.ours, "a", "ours");
    await set(v.theirs, "b.c", "theirs");
    assert.equal((await mergeFiles(v.files, services)).kind, "merged");
    assert.deepEqual(JSON.parse(await plaintextOf(v.ours)), { a: "ours", b: { c: "theirs" } });
  });

  it("merges dotenv files by variable", async () => {
    const dir = testdir({ ".env.base": "A=1\nB=2\nC=3\n" });
    const base = (await encryptFile(join(dir, ".env.base"), { age: [TEST_AGE_RECIPIENT] }, services)).path!;
    const ours = join(dir, ".env.ours.enc");
    const theirs = join(dir, ".env.theirs.enc");
    copyFileSync(base, ours);
    copyFileSync(base, theirs);
    await set(ours, "A", "one");
    await set(theirs, "B", "two words");
    await unsetValue(theirs, ["C"], {}, services);
    assert.equal((await mergeFiles({ base, ours, theirs, path: ".env.prod.enc" }, services)).kind, "merged");
    assert.equal(await plaintextOf(ours), "A=one\nB=two words\n");
  });

  it("takes the changed side of a binary file and refuses to merge two changes", async () => {
    const dir = testdir({ "k.pem": "base\n", "k2.pem": "theirs\n", "k3.pem": "ours\n" });
    const sealed = async (name: string) => (await encryptFile(join(dir, name), { age: [TEST_AGE_RECIPIENT] }, services)).path!;
    const [base, theirs, ours] = [await sealed("k.pem"), await sealed("k2.pem"), await sealed("k3.pem")];
    const copy = join(dir, "copy.enc");
    copyFileSync(base, copy);
    assert.equal((await mergeFiles({ base, ours: copy, theirs, path: "k.pem.enc" }, services)).kind, "merged");
    assert.equal(await plaintextOf(copy), "theirs\n");
    const r = await mergeFiles({ base, ours, theirs, path: "k.pem.enc" }, services);
    assert.equal(r.kind, "conflict");
    // Ours' content is kept; only the sops block gains the conflict record.
    assert.equal(await conflictedPlaintextOf(ours), "ours\n");
    assert.match(String(await conflictRecordOf(ours)), /^unresolved merge conflict: both sides changed this binary file/);
  });

  it("keeps a rotation made on their side (their data key and keys)", async () => {
    const v = await versions("a: 1\nb: 2\n", ".yaml");
    await set(v.ours, "a", "ours");
    await rotateFile(v.theirs, {}, services);
    const theirMeta = (await loadStore("yaml")).parse(readFileSync(v.theirs)).metadata as { age: { enc: string }[] };
    assert.equal((await mergeFiles(v.files, services)).kind, "merged");
    const meta = (await loadStore("yaml")).parse(readFileSync(v.ours)).metadata as { age: { enc: string }[] };
    assert.equal(meta.age[0]!.enc, theirMeta.age[0]!.enc);
    assert.equal(await plaintextOf(v.ours), "a: ours\nb: 2\n");
  });

  it("keeps comments changed on their side only", async () => {
    const v = await versions("# old comment\na: 1\nb: 2\n", ".yaml");
    const theirPlain = "# new comment\na: 1\nb: 3\n";
    writeFileSync(join(v.dir, "t.yaml"), theirPlain);
    await encryptFile(join(v.dir, "t.yaml"), { output: v.theirs, age: [TEST_AGE_RECIPIENT] }, services);
    await set(v.ours, "a", "9");
    assert.equal((await mergeFiles(v.files, services)).kind, "merged");
    assert.equal(await plaintextOf(v.ours), '# new comment\na: "9"\nb: 3\n');
  });

  it("leaves plaintext files to git's text merge, and refuses to mix plaintext with encrypted", async () => {
    const dir = testdir({ b: "a: 1\n", o: "a: 2\n", t: "a: 1\n" });
    assert.deepEqual(await mergeFiles({ base: join(dir, "b"), ours: join(dir, "o"), theirs: join(dir, "t"), path: "x.enc.yaml" }, services), {
      kind: "plaintext",
    });
    const v = await versions("a: 1\n", ".yaml");
    writeFileSync(v.theirs, "a: 2\n");
    await assert.rejects(mergeFiles(v.files, services), /their version of the file is not encrypted/);
  });

  it("refuses, writing nothing, when the result's rule would leave a value another version encrypted in cleartext", async () => {
    // ours was sealed under a narrower rule (only password) than base and theirs (everything).
    const dir = testdir({
      ".kmsrc": `rules:\n  - path: "ours.yaml"\n    age: [${TEST_AGE_RECIPIENT}]\n    encrypted_regex: "^password$"\n`,
      "base.yaml": "password: p\nuser: u\n",
      "ours.yaml": "password: p2\nuser: u\n",
      "theirs.yaml": "password: p\nuser: their-user\n",
    });
    const sealed = async (name: string) => (await encryptFile(join(dir, name), { age: [TEST_AGE_RECIPIENT] }, services)).path!;
    const [base, ours, theirs] = [await sealed("base.yaml"), await sealed("ours.yaml"), await sealed("theirs.yaml")];
    assert.match(readFileSync(ours, "utf8"), /encrypted_regex: \^password\$/);
    const before = readFileSync(ours);
    await assert.rejects(mergeFiles({ base, ours, theirs, path: "app.enc.yaml" }, services), (err: Error & { code?: string }) => {
      assert.equal(err.code, "usage");
      assert.match(err.message, /would leave user in cleartext; nothing was written/);
      assert.doesNotMatch(err.message, /their-user/);
      return true;
    });
    assert.deepEqual(readFileSync(ours), before);
  });

  it("writes nothing when a version cannot be decrypted", async () => {
    const v = await versions("a: 1\n", ".yaml");
    await set(v.ours, "a", "2");
    const before = readFileSync(v.ours);
    const locked = keyServices({ env: { HOME: "/nonexistent-home" }, notice: () => undefined });
    await assert.rejects(mergeFiles(v.files, locked), /cannot decrypt the base version/);
    assert.deepEqual(readFileSync(v.ours), before);
  });
});

describe("markers", () => {
  it("holds both versions, and says which side removed the key", () => {
    assert.equal(markers({ path: ["k"], target: str("a"), other: { type: "int", text: "2" } }), "<<<<<<< ours\na\n=======\n2\n>>>>>>> theirs");
    assert.equal(
      markers({ path: ["k"], target: undefined, other: { type: "list", items: [str("x")] } }),
      '<<<<<<< ours (removed)\n=======\n["x"]\n>>>>>>> theirs',
    );
  });
});

describe("kmseal merge with a KMS-wrapped file", () => {
  const { kms } = fakeKms();
  const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };

  it("merges git's temporary copies (no file names to check) with the context stored in the file", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "config/app.yaml": "password: p1\ntoken: t1\n" });
    const real = join(dir, "config/app.enc.yaml");
    const tmp = (n: string) => join(dir, `.merge_file_${n}`);
    assert.equal((await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "config/app.yaml")], { env })).code, 0);
    copyFileSync(real, tmp("base"));
    assert.equal((await cli(["set", real, "password", "p2"], { env })).code, 0);
    copyFileSync(real, tmp("ours"));
    copyFileSync(tmp("base"), real);
    assert.equal((await cli(["set", real, "token", "t2"], { env })).code, 0);
    copyFileSync(real, tmp("theirs"));
    const r = await cli(["merge", tmp("base"), tmp("ours"), tmp("theirs"), "config/app.enc.yaml"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    for (const call of kms.commandCalls(DecryptCommand)) assert.deepEqual(call.args[0].input.EncryptionContext, { file: "config/app.enc.yaml" });
    copyFileSync(tmp("ours"), real);
    assert.equal((await cli(["decrypt", "--stdout", real], { env })).stdout, "password: p2\ntoken: t2\n");
  });
});
