/**
 * CI runners and containers (Flux, Argo CD) often have no ~/.aws at all: credentials come from the
 * environment. A decrypt there must not need a config file, and must not trip over its absence.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import assert from "node:assert/strict";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { makeProject } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";

peerSuite("KMS decrypt with no ~/.aws/config", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);

  it("encrypts and decrypts with credentials from the environment only", async () => {
    const key = await createKey(moto());
    const project = makeProject();
    project.write("config/app.yaml", "db:\n  password: s3cret\n");
    const bare = () => {
      const e = env(moto());
      // No override of the config paths: the SDK looks in $HOME/.aws/, which does not exist.
      delete e["AWS_CONFIG_FILE"];
      delete e["AWS_SHARED_CREDENTIALS_FILE"];
      assert.equal(existsSync(join(e["HOME"]!, ".aws")), false);
      return e;
    };
    const enc = await kmseal(["encrypt", "config/app.yaml", "--kms", key.arn], { env: bare(), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    const dec = await kmseal(["decrypt", "config/app.enc.yaml", "--stdout"], { env: bare(), cwd: project.dir });
    assert.equal(dec.code, 0, describeResult("kmseal decrypt", dec));
    assert.equal(dec.stdout.toString(), "db:\n  password: s3cret\n");
    assert.equal(dec.stderr, "");
  });
});
