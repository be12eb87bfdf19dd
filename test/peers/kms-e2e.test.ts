import { it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { statSync, unlinkSync } from "node:fs";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import type { TestKey } from "./harness/kms-keys.js";
import { ACCOUNT_ID, REGION } from "./harness/kms-server.js";
import type { MotoServer } from "./harness/moto.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures, readFixture } from "./harness/project.js";
import type { Project } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";
import { asData, encryptedName, formatOf } from "./harness/file-format.js";
import { sealedMetadata } from "./harness/sealed-metadata.js";

const FIXTURES = plainFixtures();
const FIRST = FIXTURES.find((f) => formatOf(f) === "yaml") ?? "basic.yaml";

/** How many times kmseal called each KMS operation since the last mark. */
async function kmsCalls(moto: MotoServer, since: number): Promise<{ Encrypt: number; Decrypt: number; all: string[] }> {
  const all = (await moto.kmsOperations()).slice(since);
  return { Encrypt: all.filter((o) => o === "Encrypt").length, Decrypt: all.filter((o) => o === "Decrypt").length, all };
}

peerSuite("kmseal end to end with the moto KMS emulator", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);

  /** Copies `fixture` to secrets/<fixture> and encrypts it; returns the sealed file's relative path. */
  async function encryptInto(project: Project, fixture: string, keyArgs: readonly string[], extra: readonly string[] = []): Promise<string> {
    project.copyFixture(fixture, `secrets/${fixture}`);
    const r = await kmseal(["encrypt", `secrets/${fixture}`, ...keyArgs, ...extra], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult(`kmseal encrypt ${fixture}`, r));
    const sealed = `secrets/${encryptedName(fixture)}`;
    assert.ok(project.exists(sealed), `kmseal encrypt did not write ${sealed}`);
    assert.ok(r.stdout.toString().includes(encryptedName(fixture)), `kmseal encrypt did not print the path: ${r.stdout.toString()}`);
    return sealed;
  }

  it("has plaintext fixtures to run", () => {
    assert.ok(FIXTURES.length > 0, "fixtures/plain/ is empty");
  });

  for (const fixture of FIXTURES) {
    it(`encrypts and decrypts ${fixture} with a key ARN: one Encrypt, one Decrypt, the file context bound`, async () => {
      const key = await createKey(moto());
      const project = makeProject();
      const mark = (await moto().kmsOperations()).length;
      const sealed = await encryptInto(project, fixture, ["--kms", key.arn]);
      const onEncrypt = await kmsCalls(moto(), mark);
      assert.deepEqual([onEncrypt.Encrypt, onEncrypt.Decrypt], [1, 0], `KMS calls on encrypt: ${onEncrypt.all.join(", ")}`);

      const meta = sealedMetadata(formatOf(fixture), project.read(sealed));
      assert.equal(meta.kms?.length, 1);
      assert.equal(meta.kms[0]?.arn, key.arn);
      assert.deepEqual(meta.kms[0].context, { file: sealed });

      unlinkSync(project.path(`secrets/${fixture}`));
      const r = await kmseal(["decrypt", sealed], { env: env(moto()), cwd: project.dir });
      assert.equal(r.code, 0, describeResult(`kmseal decrypt ${sealed}`, r));
      const onDecrypt = await kmsCalls(moto(), mark + onEncrypt.all.length);
      assert.deepEqual([onDecrypt.Encrypt, onDecrypt.Decrypt], [0, 1], `KMS calls on decrypt: ${onDecrypt.all.join(", ")}`);
      const format = formatOf(fixture);
      assert.deepEqual(asData(format, project.read(`secrets/${fixture}`)), asData(format, readFixture(fixture)));
      assert.equal(statSync(project.path(`secrets/${fixture}`)).mode & 0o777, 0o600);
    });
  }

  it("encrypts with alias/NAME and sends the file context and extra --context pairs to KMS", async () => {
    const key = await createKey(moto());
    const project = makeProject();
    const mark = (await moto().recorded()).length;
    const sealed = await encryptInto(project, FIRST, ["--kms", key.alias], ["--context", "env=test"]);
    const encrypts = (await moto().recorded()).slice(mark).filter((r) => r.kmsOperation === "Encrypt");
    assert.equal(encrypts.length, 1);
    const sent = JSON.parse(encrypts[0]?.body ?? "{}") as { EncryptionContext?: Record<string, string> };
    assert.deepEqual(sent.EncryptionContext, { file: sealed, env: "test" });
    assert.deepEqual(sealedMetadata("yaml", project.read(sealed)).kms?.[0]?.context, { env: "test", file: sealed });

    const r = await kmseal(["decrypt", sealed, "--stdout"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal decrypt", r));
    assert.deepEqual(asData("yaml", r.stdout), asData("yaml", readFixture(FIRST)));
    const decrypts = (await moto().recorded()).slice(mark).filter((q) => q.kmsOperation === "Decrypt");
    assert.equal(decrypts.length, 1);
    assert.deepEqual((JSON.parse(decrypts[0]?.body ?? "{}") as { EncryptionContext?: unknown }).EncryptionContext, { env: "test", file: sealed });
  });

  it("wraps the data key once per key and unwraps it with a single Decrypt", async () => {
    const keys: TestKey[] = [await createKey(moto(), "a"), await createKey(moto(), "b")];
    const project = makeProject();
    const mark = (await moto().kmsOperations()).length;
    const sealed = await encryptInto(
      project,
      FIRST,
      keys.flatMap((k) => ["--kms", k.arn]),
    );
    const onEncrypt = await kmsCalls(moto(), mark);
    assert.deepEqual([onEncrypt.Encrypt, onEncrypt.Decrypt], [2, 0], `KMS calls on encrypt: ${onEncrypt.all.join(", ")}`);
    assert.deepEqual(
      sealedMetadata("yaml", project.read(sealed)).kms?.map((k) => k.arn),
      keys.map((k) => k.arn),
    );
    const r = await kmseal(["decrypt", sealed, "--stdout"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal decrypt", r));
    const onDecrypt = await kmsCalls(moto(), mark + onEncrypt.all.length);
    assert.deepEqual([onDecrypt.Encrypt, onDecrypt.Decrypt], [0, 1], `KMS calls on decrypt: ${onDecrypt.all.join(", ")}`);
  });

  it("fails encrypt with exit 4, naming the key, and writes nothing when a key does not exist", async () => {
    const good = await createKey(moto());
    const missing = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${randomUUID()}`;
    const project = makeProject();
    project.copyFixture(FIRST, `secrets/${FIRST}`);
    const before = project.files();
    const r = await kmseal(["encrypt", `secrets/${FIRST}`, "--kms", missing, "--kms", good.arn], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 4, describeResult("kmseal encrypt", r));
    assert.ok(r.stderr.includes(missing), `stderr does not name ${missing}: ${r.stderr}`);
    assert.deepEqual(project.files(), before);
  });

  it("gets the file context enforced by KMS: a changed stored context fails with exit 4, nothing written", async () => {
    const key = await createKey(moto());
    const project = makeProject();
    const sealed = await encryptInto(project, FIRST, ["--kms", key.arn]);
    // Move the file and rewrite its stored context to match, so only KMS can notice the change.
    const moved = `elsewhere/${encryptedName(FIRST)}`;
    project.write(moved, project.read(sealed).toString().replaceAll(sealed, moved));
    unlinkSync(project.path(sealed));
    assert.deepEqual(sealedMetadata("yaml", project.read(moved)).kms?.[0]?.context, { file: moved });
    const before = project.files();
    const mark = (await moto().kmsOperations()).length;
    const r = await kmseal(["decrypt", moved, "-o", "elsewhere/out.yaml"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 4, describeResult("kmseal decrypt", r));
    assert.equal((await kmsCalls(moto(), mark)).Decrypt, 1, "KMS was not asked");
    assert.deepEqual(project.files(), before);
  });

  it("refuses a copied file before calling KMS (exit 3), and decrypts it with --as <stored path>", async () => {
    const key = await createKey(moto());
    const project = makeProject();
    const sealed = await encryptInto(project, FIRST, ["--kms", key.arn]);
    const copy = `image/${encryptedName(FIRST)}`;
    project.write(copy, project.read(sealed));
    const mark = (await moto().kmsOperations()).length;
    const refused = await kmseal(["decrypt", copy, "--stdout"], { env: env(moto()), cwd: project.dir });
    assert.equal(refused.code, 3, describeResult("kmseal decrypt of a copy", refused));
    assert.ok(refused.stderr.includes(sealed) && refused.stderr.includes(copy), `stderr should name both paths: ${refused.stderr}`);
    assert.equal(refused.stdout.length, 0);
    assert.deepEqual((await kmsCalls(moto(), mark)).all, []);

    const r = await kmseal(["decrypt", copy, "--stdout", "--as", sealed], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal decrypt --as", r));
    assert.deepEqual(asData("yaml", r.stdout), asData("yaml", readFixture(FIRST)));
  });
});
