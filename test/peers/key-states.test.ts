import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DecryptCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { peerSuite } from "./harness/peers.js";
import { useLocalKms } from "./harness/lifecycle.js";
import { createKey, disableKey, keyState, scheduleDeletion } from "./harness/kms-keys.js";
import type { TestKey } from "./harness/kms-keys.js";
import type { KmsServer } from "./harness/kms-server.js";
import type { LocalKmsServer } from "./harness/local-kms.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";
import { asData, encryptedName, formatOf } from "./harness/file-format.js";

type Unusable = { readonly state: string; readonly awsError: string; readonly make: (s: KmsServer, k: TestKey) => Promise<void>; readonly named: RegExp };
const UNUSABLE: readonly Unusable[] = [
  { state: "Disabled", awsError: "DisabledException", make: disableKey, named: /disabled/i },
  { state: "PendingDeletion", awsError: "KMSInvalidStateException", make: scheduleDeletion, named: /pending ?deletion/i },
];

peerSuite("KMS key states (local-kms)", ["local-kms"], (bin) => {
  const lkms = useLocalKms(bin["local-kms"]);
  describe("the emulator", () => {
    emulatorEnforcesStates(lkms);
  });
  describe("kmseal", () => {
    kmsealReportsStates(lkms);
  });
});

function emulatorEnforcesStates(lkms: () => LocalKmsServer): void {
  const context = { file: "config/app.enc.yaml" };

  for (const u of UNUSABLE) {
    it(`makes Decrypt fail with ${u.awsError} for a ${u.state} key`, async () => {
      const key = await createKey(lkms());
      const sealed = await lkms().kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: randomBytes(32), EncryptionContext: context }));
      await u.make(lkms(), key);
      assert.equal(await keyState(lkms(), key), u.state);
      await assert.rejects(
        lkms().kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context })),
        (e: Error) => e.name === u.awsError,
      );
    });
  }

  it("enforces the encryption context on Decrypt", async () => {
    const key = await createKey(lkms());
    const sealed = await lkms().kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: randomBytes(32), EncryptionContext: context }));
    await assert.rejects(
      lkms().kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { file: "elsewhere.enc.yaml" } })),
      (e: Error) => e.name === "InvalidCiphertextException",
    );
  });
}

function kmsealReportsStates(lkms: () => LocalKmsServer): void {
  const fixture = plainFixtures().find((f) => formatOf(f) === "yaml") ?? "basic.yaml";
  const sealedName = `config/${encryptedName(fixture)}`;

  async function sealedProject(keys: readonly TestKey[]) {
    const project = makeProject();
    project.copyFixture(fixture, `config/${fixture}`);
    const args = ["encrypt", `config/${fixture}`, ...keys.flatMap((k) => ["--kms", k.arn])];
    const r = await kmseal(args, { env: env(lkms()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal encrypt", r));
    assert.ok(project.exists(sealedName), `kmseal encrypt did not write ${sealedName}`);
    return project;
  }

  for (const u of UNUSABLE) {
    it(`decrypt exits 4 naming the ARN and the state of a ${u.state} key, writing nothing`, async () => {
      const key = await createKey(lkms());
      const project = await sealedProject([key]);
      await u.make(lkms(), key);
      const before = project.files();
      const r = await kmseal(["decrypt", sealedName, "-o", "config/out.yaml"], { env: env(lkms()), cwd: project.dir });
      assert.equal(r.code, 4, describeResult("kmseal decrypt", r));
      assert.ok(r.stderr.includes(key.arn), `stderr does not name ${key.arn}: ${r.stderr}`);
      assert.match(r.stderr, u.named);
      assert.deepEqual(project.files(), before);
    });

    it(`encrypt exits 4 naming the ARN and the state of a ${u.state} key, writing nothing`, async () => {
      const key = await createKey(lkms());
      await u.make(lkms(), key);
      const project = makeProject();
      project.copyFixture(fixture, `config/${fixture}`);
      const before = project.files();
      const r = await kmseal(["encrypt", `config/${fixture}`, "--kms", key.arn], { env: env(lkms()), cwd: project.dir });
      assert.equal(r.code, 4, describeResult("kmseal encrypt", r));
      assert.ok(r.stderr.includes(key.arn), `stderr does not name ${key.arn}: ${r.stderr}`);
      assert.match(r.stderr, u.named);
      assert.deepEqual(project.files(), before);
    });

    it(`decrypts with the second key when the first is ${u.state}`, async () => {
      const first = await createKey(lkms(), "first");
      const second = await createKey(lkms(), "second");
      const project = await sealedProject([first, second]);
      await u.make(lkms(), first);
      const r = await kmseal(["decrypt", sealedName, "--stdout"], { env: env(lkms()), cwd: project.dir });
      assert.equal(r.code, 0, describeResult("kmseal decrypt", r));
      assert.deepEqual(asData("yaml", r.stdout), asData("yaml", project.read(`config/${fixture}`)));
    });
  }
}
