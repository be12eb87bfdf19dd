import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { resolveAwsSettings } from "../../src/credentials/aws-settings.js";
import type { CredentialDeps } from "../../src/credentials/credentials.js";
import { sessionCacheFor } from "../../src/credentials/credentials.js";
import { credentialProcess, login, logout, whoami } from "../../src/ops/session.js";
import { KmsealError } from "../../src/core/errors.js";
import { testdir } from "../helpers/testdir.js";

const sts = mockClient(STSClient);
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const T0 = Date.parse("2030-01-01T00:00:00Z");
const HOUR = 3_600_000;
const settingsFor = (profile: string) => resolveAwsSettings({ env: { HOME: "/nonexistent" }, kmsrc: { profile, mfa_serial: SERIAL } });
const identity = { Arn: "arn:aws:iam::123456789012:user/alice", Account: "123456789012", UserId: "AIDA1" };

function deps(over: Partial<CredentialDeps> = {}): CredentialDeps {
  return {
    env: {},
    now: () => T0,
    cacheDir: join(testdir(), "sessions"),
    terminal: () => undefined,
    log: { warn: () => {} },
    sts: (c) => Promise.resolve(new STSClient({ region: c.region, credentials: c.credentials ?? { accessKeyId: "AKIDBASE", secretAccessKey: "x" } })),
    ...over,
  };
}

describe("session ops", () => {
  beforeEach(() => {
    sts.reset();
    let n = 0;
    sts.on(GetSessionTokenCommand).callsFake(() => {
      n += 1;
      return { Credentials: { AccessKeyId: `ASIA${n}`, SecretAccessKey: `secret${n}`, SessionToken: `token${n}`, Expiration: new Date(T0 + 12 * HOUR) } };
    });
    sts.on(GetCallerIdentityCommand).resolves(identity);
  });

  it("login starts a new session even when one is cached, and returns identity and expiry", async () => {
    const d = deps({ mfaCode: "123456" });
    await login({ settings: settingsFor("dev"), deps: d });
    const info = await login({ settings: settingsFor("dev"), deps: d });
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 2);
    assert.deepEqual(info, {
      profile: "dev",
      source: "mfa-session",
      identity: { arn: identity.Arn, account: identity.Account, userId: identity.UserId },
      mfaSerial: SERIAL,
      roleArn: undefined,
      expiration: "2030-01-01T12:00:00.000Z",
      secondsLeft: 43_200,
    });
    const idCall = sts.commandCalls(GetCallerIdentityCommand)[1]!;
    assert.equal((await (idCall.thisValue as STSClient).config.credentials()).accessKeyId, "ASIA2", "identity is asked with the new session");
  });

  it("login says how to add mfa_serial when the profile has none", async () => {
    const settings = resolveAwsSettings({ env: { HOME: "/nonexistent" }, kmsrc: { profile: "dev" } });
    await assert.rejects(
      login({ settings, deps: deps() }),
      (e: KmsealError) => e.code === "auth" && /no mfa_serial/.test(e.message) && /mfa_serial/.test(e.hint ?? ""),
    );
  });

  it("whoami shows identity and time left from the cache, without secrets or STS calls", async () => {
    const d = deps({ mfaCode: "123456" });
    await login({ settings: settingsFor("dev"), deps: d });
    sts.resetHistory();
    const info = await whoami({ settings: settingsFor("dev"), deps: { ...d, now: () => T0 + HOUR } });
    assert.equal(sts.send.callCount, 0);
    assert.deepEqual(info, { ...info, source: "mfa-session", secondsLeft: 11 * 3600 });
    assert.equal("identity" in info && info.identity?.arn, identity.Arn);
    assert.doesNotMatch(JSON.stringify(info), /secret|token|ASIA/i);
  });

  it("whoami without a session says how to start one", async () => {
    const info = await whoami({ settings: settingsFor("dev"), deps: deps() });
    assert.equal(info.source, "none");
    assert.match("hint" in info ? info.hint : "", /kmseal login --profile dev/);
  });

  it("whoami of a profile without MFA signs in through the SDK chain and names the source", async () => {
    const settings = resolveAwsSettings({ env: { HOME: "/nonexistent" } });
    // The SDK's environment provider reads process.env itself.
    const saved = { ...process.env };
    process.env["AWS_ACCESS_KEY_ID"] = "AKIAFROMENVIRONMENT";
    process.env["AWS_SECRET_ACCESS_KEY"] = "s";
    delete process.env["AWS_PROFILE"];
    try {
      const info = await whoami({ settings, deps: deps() });
      assert.equal(info.source, "env");
      assert.equal(info.profile, null);
      assert.equal("identity" in info && info.identity?.account, "123456789012");
      const idCall = sts.commandCalls(GetCallerIdentityCommand)[0]!;
      assert.equal((await (idCall.thisValue as STSClient).config.credentials()).accessKeyId, "AKIAFROMENVIRONMENT");
    } finally {
      process.env = saved;
    }
  });

  it("logout removes the profile's sessions, or every session with all", async () => {
    const d = deps({ mfaCode: "123456" });
    await login({ settings: settingsFor("dev"), deps: d });
    await login({ settings: settingsFor("prod"), deps: d });
    assert.deepEqual(logout({ settings: settingsFor("dev"), deps: d }).removed, [{ profile: "dev", kind: "session", roleArn: undefined }]);
    assert.deepEqual(
      sessionCacheFor(d)
        .list()
        .map((s) => s.profile),
      ["prod"],
    );
    assert.equal(logout({ all: true, deps: d }).removed.length, 1);
    assert.equal(sessionCacheFor(d).list().length, 0);
  });

  it("credential-process prints the cached session in the AWS shape", async () => {
    const d = deps({ mfaCode: "123456" });
    await login({ settings: settingsFor("dev"), deps: d });
    sts.resetHistory();
    const out = await credentialProcess({ settings: settingsFor("dev"), deps: { ...d, mfaCode: undefined, env: {} } });
    assert.deepEqual(out, { Version: 1, AccessKeyId: "ASIA1", SecretAccessKey: "secret1", SessionToken: "token1", Expiration: "2030-01-01T12:00:00.000Z" });
    assert.equal(sts.send.callCount, 0);
  });

  it("credential-process refuses to call itself for its own keys", async () => {
    const env = { KMSEAL_IN_CREDENTIAL_PROCESS: "1" };
    await assert.rejects(credentialProcess({ settings: settingsFor("dev"), deps: deps({ env }) }), (e: KmsealError) => e.code === "auth");
  });
});
