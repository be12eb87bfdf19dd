/**
 * How many AWS requests each command makes, counted at the HTTP level: the bundled CLI runs as a real
 * process against a fake KMS and a fake STS on 127.0.0.1, with the real SDK, credentials chain and
 * session cache in between. KMS requests cost money and share a per-account rate limit.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startFakeSts, type FakeSts } from "../credentials/fixtures/fake-sts.js";
import { testdir } from "../helpers/testdir.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const ARN = "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444";
const ARN2 = ARN.replace("0f0f0f0f", "1e1e1e1e");
const SERIAL = "arn:aws:iam::123456789012:mfa/bench";

interface KmsRequest {
  readonly op: string;
  readonly accessKey: string | undefined;
  readonly sessionToken: string | undefined;
}

/** KMS's JSON protocol, just Encrypt and Decrypt; ciphertexts carry key and context so a wrong context fails. */
async function startFakeKms(holdMs: number) {
  const requests: KmsRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const op = String(req.headers["x-amz-target"] ?? "").replace(/^TrentService\./, "");
      requests.push({
        op,
        accessKey: /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1],
        sessionToken: req.headers["x-amz-security-token"] as string | undefined,
      });
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      let out: Record<string, unknown>;
      if (op === "Encrypt") {
        const blob = JSON.stringify({ arn: input["KeyId"], ctx: input["EncryptionContext"] ?? {}, key: input["Plaintext"] });
        out = { CiphertextBlob: Buffer.from(blob).toString("base64"), KeyId: input["KeyId"] };
      } else {
        const sealed = JSON.parse(Buffer.from(String(input["CiphertextBlob"]), "base64").toString()) as { arn: string; ctx: unknown; key: string };
        out =
          JSON.stringify(sealed.ctx) === JSON.stringify(input["EncryptionContext"] ?? {})
            ? { Plaintext: sealed.key, KeyId: sealed.arn }
            : { __type: "InvalidCiphertextException" };
      }
      setTimeout(() => {
        inFlight--;
        res.writeHead("__type" in out ? 400 : 200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(out));
      }, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    maxInFlight: () => maxInFlight,
    take(): string[] {
      const ops = requests.map((r) => r.op);
      requests.length = 0;
      maxInFlight = 0;
      return ops;
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

function run(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe(
  "AWS requests per command (bundled CLI, fake KMS and STS over HTTP)",
  { skip: !existsSync(BIN) && "dist/kmseal.js is not built (npm run build)" },
  () => {
    let kms: Awaited<ReturnType<typeof startFakeKms>>;
    let sts: FakeSts;
    let dir = "";
    let env: Record<string, string> = {};
    before(async () => {
      kms = await startFakeKms(20);
      sts = await startFakeSts();
      dir = testdir({ ".kmsrc": `rules:\n  - path: "config/**"\n    kms: [${ARN}, ${ARN2}]\n` });
      mkdirSync(join(dir, "config"));
      for (let i = 0; i < 20; i++) writeFileSync(join(dir, "config", `s${i}.env`), `TOKEN_${i}=secret-${i}\n`);
      env = {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, ".xdg-config"),
        XDG_CACHE_HOME: join(dir, ".xdg-cache"),
        AWS_CONFIG_FILE: join(dir, ".aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, ".aws-credentials"),
        AWS_ACCESS_KEY_ID: "AKIAREQUESTSTEST0000",
        AWS_SECRET_ACCESS_KEY: "requests-test-secret",
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ENDPOINT_URL_KMS: kms.url,
        AWS_ENDPOINT_URL_STS: sts.url,
        CI: "true",
      };
    });
    after(async () => {
      await kms.close();
      await sts.close();
    });

    it("encrypt makes one Encrypt per KMS key of the file, decrypt one Decrypt", async () => {
      const enc = await run(["encrypt", "config/s0.env"], dir, env);
      assert.equal(enc.code, 0, enc.stderr);
      assert.deepEqual(kms.take(), ["Encrypt", "Encrypt"]);
      const dec = await run(["decrypt", "--stdout", "config/s0.env.enc"], dir, env);
      assert.equal(dec.code, 0, dec.stderr);
      assert.equal(dec.stdout, "TOKEN_0=secret-0\n");
      assert.deepEqual(kms.take(), ["Decrypt"]);
    });

    it("check and status make no request at all", async () => {
      assert.equal((await run(["encrypt", "config/s1.env"], dir, env)).code, 0);
      kms.take();
      const check = await run(["check", "config/s1.env.enc"], dir, env);
      assert.equal(check.code, 0, check.stderr);
      const status = await run(["status", "config/s1.env.enc"], dir, env);
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual(kms.take(), []);
      assert.equal(sts.requests.length, 0);
    });

    it("decrypt --all makes one Decrypt per file, at most 8 at a time", async () => {
      assert.equal((await run(["encrypt", "--all", "-q"], dir, env)).code, 0);
      kms.take();
      const r = await run(["decrypt", "--all", "--force", "-q"], dir, env);
      assert.equal(r.code, 0, r.stderr);
      const ops = kms.requests.map((q) => q.op);
      const most = kms.maxInFlight();
      kms.take();
      assert.deepEqual(
        ops,
        Array.from({ length: 20 }, () => "Decrypt"),
      );
      assert.ok(most <= 8 && most > 1, `at most 8 Decrypt calls in flight, and more than one (saw ${most})`);
    });

    it("with a cached MFA session: no STS request, and KMS signed with the session", async () => {
      assert.equal((await run(["encrypt", "config/s2.env"], dir, env)).code, 0);
      kms.take();
      writeFileSync(env["AWS_CONFIG_FILE"]!, `[profile mfa]\nregion = us-east-1\nmfa_serial = ${SERIAL}\n`);
      const key = JSON.stringify(["session", "mfa", SERIAL, ""]);
      const cacheDir = join(env["XDG_CACHE_HOME"]!, "kmseal", "sessions");
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const file = join(cacheDir, `mfa--session--${createHash("sha256").update(key).digest("hex").slice(0, 16)}.json`);
      const session = {
        kind: "session",
        profile: "mfa",
        mfaSerial: SERIAL,
        accessKeyId: "ASIACACHEDSESSION001",
        secretAccessKey: "cached-secret",
        sessionToken: "cached-token",
        expiration: new Date(Date.now() + 3_600_000).toISOString(),
        createdAt: new Date().toISOString(),
      };
      writeFileSync(file, JSON.stringify(session), { mode: 0o600 });
      const warm: Record<string, string> = { ...env, AWS_PROFILE: "mfa" };
      delete warm["AWS_ACCESS_KEY_ID"];
      delete warm["AWS_SECRET_ACCESS_KEY"];
      const dec = await run(["decrypt", "--stdout", "config/s2.env.enc"], dir, warm);
      assert.equal(dec.code, 0, dec.stderr);
      assert.deepEqual(
        kms.requests.map((r) => [r.op, r.accessKey, r.sessionToken]),
        [["Decrypt", "ASIACACHEDSESSION001", "cached-token"]],
      );
      kms.take();
      assert.equal(sts.requests.length, 0, "a warm session must not call STS");
    });
  },
);
