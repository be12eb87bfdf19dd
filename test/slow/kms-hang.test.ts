import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { peerSuite } from "../peers/harness/peers.js";
import { useMoto } from "../peers/harness/lifecycle.js";
import { createKey } from "../peers/harness/kms-keys.js";
import { DUMMY_CREDENTIALS } from "../peers/harness/kms-server.js";
import { kmseal } from "../peers/harness/command.js";
import { testdir } from "../helpers/testdir.js";
import { childEnv } from "../reliability/child-env.js";
import { startFaultProxy, type FaultProxy } from "../reliability/kms-fault-proxy.js";

/**
 * A KMS that accepts the connection and never answers. The client (src/ops/keys/aws.ts) gives each
 * attempt 20 s (requestTimeout) and makes 4 attempts, so kmseal must give up on its own in about
 * 80 s plus backoff, with exit 4 and nothing written.
 */
const BOUND_MS = 150_000;

if (process.env["KMSEAL_SLOW"] !== "1") {
  describe("a KMS that never answers (slow suite)", { skip: "set KMSEAL_SLOW=1 (npm run test:slow)" }, () => {});
} else {
  peerSuite("a KMS that never answers (slow suite)", ["moto_server"], (bin) => {
    const moto = useMoto(bin.moto_server);
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy(moto().url);
    });
    after(async () => {
      await proxy.close();
    });

    it("decrypt gives up by itself with exit 4, a message, and nothing written", { timeout: BOUND_MS + 30_000 }, async () => {
      const key = await createKey(moto());
      const dir = testdir({ ".kmsrc": "rules: []\n", "app.yaml": "password: s3cr3t-hang\n" });
      const env = childEnv({
        AWS_ENDPOINT_URL: proxy.url,
        AWS_ENDPOINT_URL_KMS: proxy.url,
        AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
        KMSEAL_AGE_KEY: "",
      });
      const enc = await kmseal(["encrypt", "app.yaml", "--kms", key.arn], { env, cwd: dir });
      assert.equal(enc.code, 0, enc.stderr);
      proxy.reset();
      proxy.plan = () => ({ kind: "hang" });
      const started = Date.now();
      const r = await kmseal(["decrypt", "app.enc.yaml", "-o", "out.yaml"], { env, cwd: dir, timeoutMs: BOUND_MS });
      const ms = Date.now() - started;
      assert.equal(r.signal, null, `kmseal did not end by itself within ${BOUND_MS} ms`);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /Decrypt/);
      assert.equal(existsSync(join(dir, "out.yaml")), false);
      process.stderr.write(`# hanging KMS: kmseal gave up after ${ms} ms and ${proxy.seen.length} attempts: ${r.stderr.split("\n")[0]}\n`);
    });
  });
}
