import { after, before, beforeEach, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { peerSuite } from "../peers/harness/peers.js";
import { useMoto } from "../peers/harness/lifecycle.js";
import { createKey, type TestKey } from "../peers/harness/kms-keys.js";
import { DUMMY_CREDENTIALS } from "../peers/harness/kms-server.js";
import { kmseal, type CommandResult } from "../peers/harness/command.js";
import { testdir } from "../helpers/testdir.js";
import { childEnv } from "./child-env.js";
import { faultFirst, startFaultProxy, type Fault, type FaultProxy } from "./kms-fault-proxy.js";

/** The client's budget (src/ops/keys/aws.ts): 4 attempts per call, adaptive retry. */
const MAX_ATTEMPTS = 4;

peerSuite("KMS faults through a loopback proxy in front of moto", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);
  let proxy: FaultProxy;
  let key: TestKey;

  before(async () => {
    proxy = await startFaultProxy(moto().url);
  });
  after(async () => {
    await proxy.close();
  });
  beforeEach(async () => {
    key = await createKey(moto());
    proxy.reset();
  });

  const env = () =>
    childEnv({
      AWS_ENDPOINT_URL: proxy.url,
      AWS_ENDPOINT_URL_KMS: proxy.url,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
      KMSEAL_AGE_KEY: "",
    });
  const attempts = (op: string) => proxy.seen.filter((s) => s.operation === op).length;
  const project = () => testdir({ ".kmsrc": "rules: []\n", "app.yaml": "password: s3cr3t-fault\n" });
  const encrypt = (dir: string) => kmseal(["encrypt", "app.yaml", "--kms", key.arn], { env: env(), cwd: dir, timeoutMs: 60_000 });
  const decrypt = (dir: string) => kmseal(["decrypt", "app.enc.yaml", "-o", "out.yaml"], { env: env(), cwd: dir, timeoutMs: 60_000 });

  async function sealed(): Promise<string> {
    const dir = project();
    const r = await encrypt(dir);
    assert.equal(r.code, 0, r.stderr);
    proxy.reset();
    return dir;
  }

  function assertKeyFailure(r: CommandResult, what: RegExp): void {
    assert.equal(r.code, 4, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /^kmseal: app\.(enc\.)?yaml: /);
    assert.match(r.stderr, new RegExp(key.arn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "names the key");
    assert.match(r.stderr, what, "says what went wrong");
    assert.ok(!r.stderr.includes("s3cr3t-fault"));
  }

  const transient: [string, Fault, number][] = [
    ["a 500 answer", { kind: "status", status: 500 }, 2],
    ["a 503 answer", { kind: "status", status: 503 }, 3],
    ["ThrottlingException", { kind: "throttle" }, 2],
    ["a dropped connection", { kind: "drop" }, 2],
    ["a 2 s delay", { kind: "delay", ms: 2_000 }, 1],
  ];
  for (const [name, fault, times] of transient) {
    const how = fault.kind === "delay" ? "is waited for" : "is retried";
    it(`Encrypt: ${name} ${times}× ${how} and the file is written`, async () => {
      const dir = project();
      proxy.plan = faultFirst("Encrypt", fault, times);
      const r = await encrypt(dir);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, "app.enc.yaml")));
      assert.equal(attempts("Encrypt"), fault.kind === "delay" ? 1 : times + 1, "one attempt per fault, then success");
    });

    it(`Decrypt: ${name} ${times}× ${how} and the plaintext is written`, async () => {
      const dir = await sealed();
      proxy.plan = faultFirst("Decrypt", fault, times);
      const r = await decrypt(dir);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, "out.yaml")));
    });
  }

  const persistent: [string, Fault, RegExp][] = [
    ["503 on every attempt", { kind: "status", status: 503 }, /KMSInternalException|injected server error/],
    ["ThrottlingException on every attempt", { kind: "throttle" }, /Throttling|Rate exceeded/],
    ["a dropped connection on every attempt", { kind: "drop" }, /socket hang up|ECONNRESET|network|connect/i],
  ];
  for (const [name, fault, what] of persistent) {
    it(`Encrypt: ${name} → exit 4 after ${MAX_ATTEMPTS} attempts, a clear message, nothing written`, async () => {
      const dir = project();
      proxy.plan = () => fault;
      const started = Date.now();
      const r = await encrypt(dir);
      assertKeyFailure(r, what);
      assert.equal(attempts("Encrypt"), MAX_ATTEMPTS);
      assert.deepEqual(readdirSync(dir).sort(), [".kmsrc", "app.yaml"], "nothing written");
      assert.ok(Date.now() - started < 45_000, "bounded");
    });

    it(`Decrypt: ${name} → exit 4 after ${MAX_ATTEMPTS} attempts, nothing written`, async () => {
      const dir = await sealed();
      proxy.plan = () => fault;
      const r = await decrypt(dir);
      assertKeyFailure(r, what);
      assert.equal(attempts("Decrypt"), MAX_ATTEMPTS);
      assert.equal(existsSync(join(dir, "out.yaml")), false, "nothing written");
    });
  }
});
