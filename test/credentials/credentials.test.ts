import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mockClient } from "aws-sdk-client-mock";
import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { resolveAwsSettings } from "../../src/credentials/aws-settings.js";
import type { AwsSettings } from "../../src/credentials/aws-settings.js";
import { credentialsFor, sessionCacheFor, signInFor, type SignIn } from "../../src/credentials/credentials.js";
import type { CredentialDeps } from "../../src/credentials/credentials.js";
import { KmsealError } from "../../src/core/errors.js";
import { testdir } from "../helpers/testdir.js";
import { startFakeSts } from "./fixtures/fake-sts.js";
import type { FakeSts } from "./fixtures/fake-sts.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const FIXTURE = fileURLToPath(new URL("./fixtures/get-session.js", import.meta.url));

/** A temp HOME as `aws configure` leaves it, plus a profile with MFA. */
function awsHome(): { home: string; env: Record<string, string> } {
  const home = testdir({
    ".aws/credentials": "[dev]\naws_access_key_id = AKIAFAKEBASE0000001\naws_secret_access_key = fake-base-secret\n",
    ".aws/config": `[profile dev]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`,
  });
  return {
    home,
    env: { HOME: home, XDG_CACHE_HOME: join(home, ".cache"), AWS_PROFILE: "dev", PATH: process.env["PATH"] ?? "/usr/bin:/bin", SHELL: "/bin/sh" },
  };
}

describe("credentialsFor", () => {
  const sts = mockClient(STSClient);
  beforeEach(() => sts.reset());
  const deps = (env: Record<string, string>, over: Partial<CredentialDeps> = {}): CredentialDeps => ({
    env,
    cacheDir: join(testdir(), "sessions"),
    terminal: () => undefined,
    log: { warn: () => {} },
    sts: (c) => Promise.resolve(new STSClient({ region: c.region, credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "x" } })),
    ...over,
  });
  const mfa = (over: Partial<AwsSettings> = {}): AwsSettings => ({
    ...resolveAwsSettings({ env: {}, kmsrc: { profile: "dev", mfa_serial: SERIAL } }),
    ...over,
  });

  it("leaves a profile without mfa_serial to the SDK's default chain", () => {
    assert.equal(credentialsFor(resolveAwsSettings({ env: {} }), deps({})), undefined);
  });

  it("CI=true is --no-input: nothing cached and no code fails only when called, with the fix (not the long-term keys)", async () => {
    const provider = credentialsFor(mfa(), deps({ CI: "true" }));
    assert.ok(provider);
    await assert.rejects(provider(), (err: KmsealError) => err.code === "auth" && /kmseal login --profile dev/.test(err.hint ?? ""));
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
  });

  it("uses the default chain inside an existing temporary session or with a web identity", () => {
    assert.equal(credentialsFor(mfa(), deps({ AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" })), undefined);
    assert.equal(credentialsFor(mfa(), deps({ AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token" })), undefined);
  });

  it("signInFor: the MFA session for mfa_serial, else the SDK chain for the profile, or for the environment's own session", () => {
    const withFiles = mfa({ clientProfile: "dev" });
    assert.equal(signInFor(withFiles, deps({ CI: "true" })).kind, "mfa");
    // The profile the chain signs in with, or "mfa" for the MFA session.
    const profileOf = (s: SignIn) => (s.kind === "chain" ? s.chain.profile : "mfa");
    assert.equal(profileOf(signInFor({ ...withFiles, mfaSerial: undefined }, deps({}))), "dev");
    // Naming the profile would make the SDK skip the environment's session for the profile's long-term keys.
    assert.equal(profileOf(signInFor(withFiles, deps({ AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }))), undefined);
    assert.equal(profileOf(signInFor(withFiles, deps({ AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token" }))), undefined);
  });

  it("uses a cached session in CI, and a code from KMSEAL_MFA_CODE", async () => {
    sts
      .on(GetSessionTokenCommand)
      .resolves({ Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 3_600_000) } });
    const d = deps({ CI: "true", KMSEAL_MFA_CODE: "123456" });
    assert.equal((await credentialsFor(mfa(), d)!()).accessKeyId, "ASIA1");
    const cachedOnly = { ...d, env: { CI: "true" } };
    assert.equal((await credentialsFor(mfa(), cachedOnly)!()).accessKeyId, "ASIA1");
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 1);
  });

  it("with --no-input and nothing cached, fails only when called, with the command that fixes it", async () => {
    const provider = credentialsFor(mfa(), deps({}, { noInput: true, terminal: () => ({ ask: () => Promise.reject(new Error("prompted")) }) }));
    assert.ok(provider);
    await assert.rejects(provider(), (err: KmsealError) => {
      assert.equal(err.code, "auth");
      assert.match(err.hint ?? "", /`kmseal login --profile dev`/);
      assert.match(err.hint ?? "", /KMSEAL_MFA_CODE=123456 kmseal login --profile dev/);
      return true;
    });
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
  });

  it("says when the cached session expired if no new code can be asked for", async () => {
    const d = deps({}, { noInput: true, now: () => Date.parse("2030-01-01T01:30:00Z") });
    await sessionCacheFor(d).write({
      kind: "session",
      profile: "dev",
      mfaSerial: SERIAL,
      accessKeyId: "ASIAOLD",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: "2030-01-01T01:00:00Z",
      createdAt: "2030-01-01T00:00:00Z",
    });
    await assert.rejects(credentialsFor(mfa(), d)!(), (err: KmsealError) => err.code === "auth" && /expired 30 minutes ago/.test(err.message));
  });

  it("rejects a code that is not 6 digits before calling STS", async () => {
    const provider = credentialsFor(mfa(), deps({ KMSEAL_MFA_CODE: "12345" }));
    await assert.rejects(provider!(), (err: KmsealError) => err.code === "auth" && /KMSEAL_MFA_CODE is not 6 digits/.test(err.message));
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
  });
});

describe("credentialsFor across processes (fake STS on 127.0.0.1)", () => {
  let fake: FakeSts;
  before(async () => (fake = await startFakeSts()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.delayMs = 0;
  });

  function run(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; out: Promise<string> } {
    const child = spawn(process.execPath, [FIXTURE], { env: { ...env, AWS_ENDPOINT_URL_STS: fake.url } });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    return {
      child,
      out: new Promise((resolve) =>
        child.on("close", () => {
          resolve(out);
        }),
      ),
    };
  }

  it("two processes with an expired cache make one GetSessionToken call", async () => {
    const { home, env } = awsHome();
    const cache = sessionCacheFor({ env });
    await cache.write({
      kind: "session",
      profile: "dev",
      mfaSerial: SERIAL,
      accessKeyId: "ASIAOLD",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(Date.now() - 60_000).toISOString(),
      createdAt: new Date().toISOString(),
    });
    fake.delayMs = 300;
    const procs = [1, 2].map(() => run({ ...env, KMSEAL_MFA_CODE: "123456", KMSEAL_TEST_WAIT: "1" }));
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) =>
            p.child.stdout.once("data", () => {
              resolve();
            }),
          ),
      ),
    );
    for (const p of procs) p.child.stdin.write("go\n");
    const outputs = await Promise.all(procs.map((p) => p.out));
    const keys = outputs.map((o) => (JSON.parse(o.trim().split("\n").at(-1)!) as { accessKeyId: string }).accessKeyId);
    assert.equal(fake.count("GetSessionToken"), 1);
    assert.equal(keys[0], keys[1]);
    assert.match(keys[0]!, /^ASIAFAKESESSION/);
    assert.equal(fake.requests[0]!.signedBy, "AKIAFAKEBASE0000001", "signed with the profile's long-term key");
    assert.ok(home);
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it(
    "reads the code typed on the terminal (through a pseudo-terminal) and keeps it off stdout",
    { skip: !hasScript && "util-linux script is not installed" },
    async () => {
      const { home, env } = awsHome();
      const outFile = join(home, "stdout.txt");
      const child = spawn("script", ["-qec", `'${process.execPath}' '${FIXTURE}' > '${outFile}'`, "/dev/null"], {
        env: { ...env, AWS_ENDPOINT_URL_STS: fake.url },
      });
      let terminal = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        terminal += c;
        if (terminal.includes("MFA code for") && !terminal.includes("typed")) {
          terminal += "typed";
          child.stdin.write("123456\n");
        }
      });
      const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(status, 0, terminal);
      assert.match(terminal, new RegExp(`MFA code for ${SERIAL}: `));
      assert.deepEqual(
        fake.requests.map((r) => [r.action, r.params["TokenCode"]]),
        [["GetSessionToken", "123456"]],
      );
      const stdout = readFileSync(outFile, "utf8");
      assert.match(stdout, /^\{"accessKeyId":"ASIAFAKESESSION\d+"\}\n$/);
      assert.doesNotMatch(stdout, /123456|MFA code/);
    },
  );
});
