import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { DecryptCommand, EncryptCommand, ReEncryptCommand } from "@aws-sdk/client-kms";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { encryptedName } from "../../src/stores/file-name.js";

const { kms, reset } = fakeKms();
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };
const FIXTURES = join(process.cwd(), "fixtures", "plain");
const SECOND = FAKE_ARN.replace("0f0f0f0f", "1e1e1e1e");

describe("KMS-wrapped files (aws-sdk-client-mock)", () => {
  beforeEach(() => {
    reset();
  });

  for (const name of readdirSync(FIXTURES).filter((n) => n !== "aliases.yaml")) {
    it(`round-trips ${name} with one Encrypt per key and one Decrypt`, async () => {
      const dir = testdir({ ".kmsrc": "rules: []\n" });
      mkdirSync(join(dir, "config"));
      copyFileSync(join(FIXTURES, name), join(dir, "config", name));
      const file = join(dir, "config", name);
      const enc = await cli(["encrypt", "--kms", FAKE_ARN, "--kms", SECOND, "--context", "env=test", file], { env });
      assert.equal(enc.code, 0, enc.stderr);
      const calls = kms.commandCalls(EncryptCommand);
      assert.equal(calls.length, 2);
      const rel = "config/" + encryptedName(name);
      for (const c of calls) assert.deepEqual(c.args[0].input.EncryptionContext, { file: rel, env: "test" });
      const dec = await cli(["decrypt", "--stdout", encryptedName(file)], { env });
      assert.equal(dec.code, 0, dec.stderr);
      assert.ok(dec.stdoutBytes.equals(readFileSync(join(FIXTURES, name))));
      assert.equal(kms.commandCalls(DecryptCommand).length, 1);
    });
  }

  it("refuses a moved file before calling KMS, naming both paths and the fix (exit 3)", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "a.yaml": "k: v\n" });
    assert.equal((await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "a.yaml")], { env })).code, 0);
    renameSync(join(dir, "a.enc.yaml"), join(dir, "b.enc.yaml"));
    const r = await cli(["decrypt", join(dir, "b.enc.yaml")], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /"a\.enc\.yaml".*"b\.enc\.yaml"/);
    assert.match(r.stderr, /kmseal mv|--as/);
    assert.equal(kms.commandCalls(DecryptCommand).length, 0);
    assert.equal(existsSync(join(dir, "b.yaml")), false);
    const ok = await cli(["decrypt", "--as", "a.enc.yaml", "--stdout", join(dir, "b.enc.yaml")], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "k: v\n");
  });

  it("a changed file context in the metadata fails at KMS with exit 4 and writes nothing", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "a.yaml": "k: v\n" });
    await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "a.yaml")], { env });
    const r = await cli(["decrypt", "--as", "other.enc.yaml", join(dir, "a.enc.yaml"), "-o", join(dir, "out.yaml")], { env });
    assert.equal(r.code, 3);
    const text = readFileSync(join(dir, "a.enc.yaml"), "utf8").replace("file: a.enc.yaml", "file: other.enc.yaml");
    const dir2 = testdir({ ".kmsrc": "rules: []\n", "other.enc.yaml": text });
    const r2 = await cli(["decrypt", join(dir2, "other.enc.yaml")], { env });
    assert.equal(r2.code, 4, r2.stderr);
    assert.equal(existsSync(join(dir2, "other.yaml")), false);
  });

  it("mv re-binds the context with one ReEncrypt and the moved file decrypts", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "a.yaml": "k: v\n" });
    await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "a.yaml")], { env });
    mkdirSync(join(dir, "sub"));
    const r = await cli(["mv", join(dir, "a.enc.yaml"), join(dir, "sub", "b.enc.yaml")], { env });
    assert.equal(r.code, 0, r.stderr);
    const re = kms.commandCalls(ReEncryptCommand);
    assert.equal(re.length, 1);
    assert.deepEqual(re[0]!.args[0].input.SourceEncryptionContext, { file: "a.enc.yaml" });
    assert.deepEqual(re[0]!.args[0].input.DestinationEncryptionContext, { file: "sub/b.enc.yaml" });
    // The plaintext copy moves along, so `encrypt --all` cannot bring the old file back (stale-copy.test.ts).
    assert.match(r.stderr, /moved the plaintext copy along to .*sub\/b\.yaml/);
    assert.equal(existsSync(join(dir, "a.yaml")), false);
    assert.equal(readFileSync(join(dir, "sub", "b.yaml"), "utf8"), "k: v\n");
    const dec = await cli(["decrypt", "--stdout", join(dir, "sub", "b.enc.yaml")], { env });
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(dec.stdout, "k: v\n");
    assert.equal(existsSync(join(dir, "a.enc.yaml")), false);
  });
});
