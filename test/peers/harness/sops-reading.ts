import { asData, formatOf } from "./file-format.js";
import { runCommand } from "./command.js";
import { env } from "./peer-env.js";
import { makeProject } from "./project.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";

/**
 * What a sops binary prints, as data, for its own encryption of `plaintext`: the oracle for its
 * reading of a kmseal file of the same plaintext (sops 3.13 reads a plain YAML date as a time and
 * prints it in RFC 3339). Where that sops cannot encrypt the plaintext, the plaintext itself.
 */
export async function sopsReading(sops: string, name: string, plaintext: Uint8Array): Promise<unknown> {
  const format = formatOf(name);
  const types = ["--input-type", format, "--output-type", format];
  const project = makeProject();
  project.write("plain", plaintext);
  const e = env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY });
  const enc = await runCommand(sops, ["encrypt", ...types, "--age", TEST_AGE_RECIPIENT, "plain"], { env: e, cwd: project.dir });
  if (enc.code !== 0) return asData(format, plaintext);
  project.write("sealed", enc.stdout);
  const dec = await runCommand(sops, ["decrypt", ...types, "sealed"], { env: e, cwd: project.dir });
  return dec.code === 0 ? asData(format, dec.stdout) : asData(format, plaintext);
}
