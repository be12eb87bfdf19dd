import { it } from "node:test";
import assert from "node:assert/strict";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import type { MotoServer } from "./harness/moto.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures, readFixture } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { asData, encryptedName, formatOf, sopsCannotRead } from "./harness/file-format.js";
import { sealedMetadata } from "./harness/sealed-metadata.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

const FIXTURES = plainFixtures();

async function decryptCalls(moto: MotoServer, since: number): Promise<number> {
  return (await moto.kmsOperations()).slice(since).filter((o) => o === "Decrypt").length;
}

/**
 * Both directions for every fixture, each through both key types: through KMS (no age identity
 * anywhere) and through age (no KMS reachable: every AWS endpoint is a closed loopback port).
 */
peerSuite("sops interop (moto KMS and age)", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  it("has plaintext fixtures to run", () => {
    assert.ok(FIXTURES.length > 0, "fixtures/plain/ is empty");
  });

  for (const fixture of FIXTURES) {
    const format = formatOf(fixture);
    const types = ["--input-type", format, "--output-type", format];
    const sealed = `secrets/${encryptedName(fixture)}`;
    const original = () => asData(format, readFixture(fixture));

    it(`sops decrypts ${fixture} as kmseal sealed it, through KMS and through age`, async () => {
      const key = await createKey(moto());
      const project = makeProject();
      project.copyFixture(fixture, `secrets/${fixture}`);
      const enc = await kmseal(["encrypt", `secrets/${fixture}`, "--kms", key.arn, "--age", TEST_AGE_RECIPIENT], { env: env(moto()), cwd: project.dir });
      assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));

      // sops reads kmseal's file as it reads its own encryption of the same plaintext (a plain YAML
      // date is a time to sops: it comes back as RFC 3339 text); where sops cannot encrypt the
      // plaintext, as the original.
      const own = await runCommand(bin.sops, ["encrypt", ...types, "--age", TEST_AGE_RECIPIENT, `secrets/${fixture}`], {
        env: env(undefined),
        cwd: project.dir,
      });
      let expected = original();
      if (own.code === 0) {
        project.write("own.enc", own.stdout);
        const back = await runCommand(bin.sops, ["decrypt", ...types, "own.enc"], {
          env: env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY }),
          cwd: project.dir,
        });
        assert.equal(back.code, 0, describeResult("sops decrypt of its own file", back));
        expected = asData(format, back.stdout);
      }

      const mark = (await moto().kmsOperations()).length;
      const viaKms = await runCommand(bin.sops, ["decrypt", ...types, sealed], { env: env(moto()), cwd: project.dir });
      assert.equal(viaKms.code, 0, describeResult("sops decrypt (KMS)", viaKms));
      assert.deepEqual(asData(format, viaKms.stdout), expected);
      assert.equal(await decryptCalls(moto(), mark), 1, "sops did not go through KMS");

      const viaAge = await runCommand(bin.sops, ["decrypt", ...types, sealed], { env: env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY }), cwd: project.dir });
      assert.equal(viaAge.code, 0, describeResult("sops decrypt (age)", viaAge));
      assert.deepEqual(asData(format, viaAge.stdout), expected);
    });

    const skip = sopsCannotRead(format, readFixture(fixture)) ?? false;
    it(`kmseal decrypts ${fixture} as sops sealed it, through KMS and through age`, { skip }, async () => {
      const key = await createKey(moto());
      const project = makeProject();
      project.copyFixture(fixture, `secrets/${fixture}`);
      const args = ["encrypt", ...types, "--kms", key.arn, "--encryption-context", `file:${sealed}`, "--age", TEST_AGE_RECIPIENT, `secrets/${fixture}`];
      const enc = await runCommand(bin.sops, args, { env: env(moto()), cwd: project.dir });
      assert.equal(enc.code, 0, describeResult("sops encrypt", enc));
      project.write(sealed, enc.stdout);
      assert.deepEqual(sealedMetadata(format, enc.stdout).kms?.[0]?.context, { file: sealed });

      // The oracle is sops's own reading of the file: sops is lossy in places (it stores a YAML
      // timestamp such as 2024-05-01 as type:time, 2024-05-01T00:00:00Z), and kmseal must give what
      // sops gives. Where sops is lossless that is the original.
      const bySops = await runCommand(bin.sops, ["decrypt", ...types, sealed], { env: env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY }), cwd: project.dir });
      assert.equal(bySops.code, 0, describeResult("sops decrypt", bySops));
      const expected = asData(format, bySops.stdout);

      const mark = (await moto().kmsOperations()).length;
      const viaKms = await kmseal(["decrypt", sealed, "--stdout"], { env: env(moto()), cwd: project.dir });
      assert.equal(viaKms.code, 0, describeResult("kmseal decrypt (KMS)", viaKms));
      assert.deepEqual(asData(format, viaKms.stdout), expected);
      assert.equal(await decryptCalls(moto(), mark), 1, "kmseal did not go through KMS exactly once");

      for (const variable of ["KMSEAL_AGE_KEY", "SOPS_AGE_KEY"]) {
        const viaAge = await kmseal(["decrypt", sealed, "--stdout"], { env: env(undefined, { [variable]: TEST_AGE_IDENTITY }), cwd: project.dir });
        assert.equal(viaAge.code, 0, describeResult(`kmseal decrypt (age, ${variable})`, viaAge));
        assert.deepEqual(asData(format, viaAge.stdout), expected);
      }
    });
  }
});
