import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { DecryptCommand } from "@aws-sdk/client-kms";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { textconv } from "../../src/ops/textconv.js";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" }, notice: () => undefined });
const noKey = keyServices({ env: { HOME: "/nonexistent-home" }, notice: () => undefined });
const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

async function sealed(name: string, plain: string): Promise<string> {
  const dir = testdir({ [name]: plain });
  return (await encryptFile(join(dir, name), { age: [TEST_AGE_RECIPIENT] }, services)).path!;
}

describe("textconv", () => {
  it("prints an encrypted file decrypted, from a temporary copy with another name and folder", async () => {
    const file = await sealed("app.yaml", "# c\ndb:\n  password: s3cret\n");
    const temp = join(testdir(), "app.enc.yaml");
    copyFileSync(file, temp);
    assert.deepEqual(await textconv(readFileSync(temp), temp, services), { bytes: Buffer.from("# c\ndb:\n  password: s3cret\n") });
  });

  it("prints a file that is not encrypted unchanged", async () => {
    const input = Buffer.from("password: plain\n");
    const r = await textconv(input, "app.enc.yaml", services);
    assert.equal(text(r.bytes), "password: plain\n");
    assert.equal(r.note, undefined);
  });

  it("prints the encrypted text with a note when no key can open it", async () => {
    const file = await sealed("app.yaml", "password: s3cret\n");
    const input = readFileSync(file);
    const r = await textconv(input, file, noKey);
    assert.deepEqual(Buffer.from(r.bytes), input);
    assert.match(r.note ?? "", /showing the encrypted text/);
    assert.doesNotMatch(r.note ?? "", /s3cret/);
  });

  it("finds the format when an older git prefixes the temporary name (XXXXXX_.env.prod.enc)", async () => {
    const file = await sealed(".env.prod", "TOKEN=abc\n");
    assert.equal(text((await textconv(readFileSync(file), "/tmp/Ab12Cd_.env.prod.enc", services)).bytes), "TOKEN=abc\n");
  });

  it("prints a binary file's decrypted bytes", async () => {
    const file = await sealed("key.pem", "-----BEGIN KEY-----\n");
    assert.equal(text((await textconv(readFileSync(file), file, services)).bytes), "-----BEGIN KEY-----\n");
  });
});

describe("kmseal textconv with a KMS-wrapped file", () => {
  const { kms, reset } = fakeKms();
  const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };

  async function gitTemporaryCopy(): Promise<string> {
    const dir = testdir({ ".kmsrc": "rules: []\n", "config/app.yaml": "password: s3cret\n" });
    assert.equal((await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "config/app.yaml")], { env })).code, 0);
    const temp = join(testdir(), "git-blob-Ab12Cd");
    mkdirSync(temp);
    copyFileSync(join(dir, "config/app.enc.yaml"), join(temp, "app.enc.yaml"));
    return join(temp, "app.enc.yaml");
  }

  it("decrypts a temporary copy: no local path check, KMS gets the context stored in the file", async () => {
    reset();
    const temp = await gitTemporaryCopy();
    const r = await cli(["textconv", temp], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "password: s3cret\n");
    assert.deepEqual(kms.commandCalls(DecryptCommand)[0]!.args[0].input.EncryptionContext, { file: "config/app.enc.yaml" });
  });

  it("prints the encrypted text, exit 0 and a one-line note when KMS denies access", async () => {
    reset();
    const temp = await gitTemporaryCopy();
    kms.on(DecryptCommand).rejects(Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }));
    const r = await cli(["textconv", temp], { env });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, readFileSync(temp, "utf8"));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /showing the encrypted text/);
  });
});
