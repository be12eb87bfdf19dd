/** The three providers on their own, each with a fake STS (aws-sdk-client-mock) and a temp cache. */
import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { assumeRoleProvider } from "../../src/credentials/assume-role.js";
import { cachedSession } from "../../src/credentials/cached-session.js";
import { MfaCodes } from "../../src/credentials/mfa-code.js";
import { SessionCache, type CachedSession } from "../../src/credentials/session-cache.js";
import { sessionTokenProvider, type MfaContext, type SessionSource } from "../../src/credentials/session-token.js";
import type { StsClientConfig } from "../../src/credentials/sts-client.js";
import { testdir } from "../helpers/testdir.js";

const sts = mockClient(STSClient);
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const ROLE = "arn:aws:iam::123456789012:role/editor";
const T0 = Date.parse("2030-01-01T00:00:00Z");
const HOUR = 3_600_000;
const reply = (id: string, expiresAt = T0 + 12 * HOUR) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: `s-${id}`, SessionToken: `t-${id}`, Expiration: new Date(expiresAt) },
});

function context(configs: StsClientConfig[] = [], code: string | null = "123456"): MfaContext {
  return {
    settings: {
      profile: "dev",
      clientProfile: "dev",
      baseProfile: "dev",
      region: "eu-west-1",
      mfaSerial: SERIAL,
      mfaProcess: undefined,
      roleArn: ROLE,
      roleSessionName: "alice",
      sessionDurationSeconds: 43_200,
      roleDurationSeconds: 3_600,
    },
    codes: new MfaCodes({ flagCode: code ?? undefined, env: {}, interactive: false, terminal: () => undefined, fixCommand: "kmseal login --profile dev" }),
    sts: (config) => (
      configs.push(config),
      Promise.resolve(new STSClient({ region: config.region, credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "b" } }))
    ),
    fixCommand: "kmseal login --profile dev",
    now: () => T0,
    noCode: () => new Error("no code here"),
  };
}

const cacheIn = () => new SessionCache({ dir: join(testdir(), "sessions"), now: () => T0, log: { warn: () => {} } });

describe("sessionTokenProvider", () => {
  beforeEach(() => sts.reset());

  it("calls GetSessionToken with the serial, the code and the duration, signed by the base profile, every time", async () => {
    sts.on(GetSessionTokenCommand).resolves(reply("ASIA1"));
    const configs: StsClientConfig[] = [];
    const source = sessionTokenProvider(context(configs));
    const s = await source.fetch();
    await source.fetch();
    assert.deepEqual(
      [s.kind, s.accessKeyId, s.expiration, s.createdAt],
      ["session", "ASIA1", new Date(T0 + 12 * HOUR).toISOString(), new Date(T0).toISOString()],
    );
    assert.deepEqual(
      sts.commandCalls(GetSessionTokenCommand).map((c) => c.args[0].input),
      [1, 2].map(() => ({ SerialNumber: SERIAL, TokenCode: "123456", DurationSeconds: 43_200 })),
    );
    assert.deepEqual(configs[0], { region: "eu-west-1", profile: "dev" });
  });

  it("explains why no code can be asked instead of calling STS", async () => {
    await assert.rejects(sessionTokenProvider(context([], null)).fetch(), /no code here/);
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
  });

  it("turns an answer without credentials into an auth error", async () => {
    sts.on(GetSessionTokenCommand).resolves({});
    await assert.rejects(sessionTokenProvider(context()).fetch(), (e: { code?: string }) => e.code === "auth");
  });
});

describe("assumeRoleProvider", () => {
  beforeEach(() => sts.reset());

  it("assumes the role with the MFA code itself when not chained", async () => {
    sts
      .on(AssumeRoleCommand)
      .resolves({ ...reply("ASIAROLE"), AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/editor/alice", AssumedRoleId: "AROA1:alice" } });
    const configs: StsClientConfig[] = [];
    const role = await assumeRoleProvider(context(configs), ROLE).fetch();
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input, {
      RoleArn: ROLE,
      RoleSessionName: "alice",
      DurationSeconds: 3600,
      SerialNumber: SERIAL,
      TokenCode: "123456",
    });
    assert.deepEqual(role.identity, { arn: "arn:aws:sts::123456789012:assumed-role/editor/alice", account: "123456789012", userId: "AROA1:alice" });
    assert.equal(configs[0]!.credentials, undefined, "signed with the long-term keys");
  });

  it("chains on the session's credentials, and after an expired-token answer starts one new session", async () => {
    const expired = Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" });
    sts.on(AssumeRoleCommand).rejectsOnce(expired).resolves(reply("ASIAROLE"));
    const sessions = ["ASIAOLD", "ASIANEW"];
    let invalidated = 0;
    const via = {
      key: { kind: "session" as const, profile: "dev", mfaSerial: SERIAL },
      get: (): Promise<CachedSession> =>
        Promise.resolve({
          ...via.key,
          accessKeyId: sessions[invalidated]!,
          secretAccessKey: "s",
          sessionToken: "t",
          expiration: new Date(T0 + HOUR).toISOString(),
          createdAt: new Date(T0).toISOString(),
        }),
      fresh: () => undefined,
      invalidate: () => {
        invalidated++;
      },
    };
    const configs: StsClientConfig[] = [];
    const role = await assumeRoleProvider(context(configs, null), ROLE, via).fetch();
    assert.equal(role.accessKeyId, "ASIAROLE");
    assert.equal(invalidated, 1);
    assert.deepEqual(
      configs.map((c) => (c.credentials as { accessKeyId: string }).accessKeyId),
      ["ASIAOLD", "ASIANEW"],
    );
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand)[1]!.args[0].input, { RoleArn: ROLE, RoleSessionName: "alice", DurationSeconds: 3600 });
  });
});

describe("cachedSession", () => {
  const counting = (): SessionSource & { calls: number } => {
    const source = {
      calls: 0,
      key: { kind: "session" as const, profile: "dev", mfaSerial: SERIAL },
      fetch: async (): Promise<CachedSession> => {
        source.calls++;
        await new Promise((r) => setTimeout(r, 20));
        return {
          ...source.key,
          accessKeyId: `ASIA${source.calls}`,
          secretAccessKey: "s",
          sessionToken: "t",
          expiration: new Date(T0 + HOUR).toISOString(),
          createdAt: new Date(T0).toISOString(),
        };
      },
    };
    return source;
  };

  it("asks the source once for concurrent callers and for a second decorator on the same cache", async () => {
    const cache = cacheIn();
    const source = counting();
    const first = cachedSession(source, cache);
    const got = await Promise.all([first.get(), first.get(), cachedSession(source, cache).get()]);
    assert.deepEqual(
      got.map((s) => s.accessKeyId),
      ["ASIA1", "ASIA1", "ASIA1"],
    );
    assert.equal(source.calls, 1);
    assert.equal(cache.fresh(source.key)?.accessKeyId, "ASIA1");
  });

  it("with force asks the source once even though a valid entry is cached", async () => {
    const cache = cacheIn();
    const source = counting();
    await cachedSession(source, cache).get();
    const forced = cachedSession(source, cache, { force: true });
    assert.equal((await forced.get()).accessKeyId, "ASIA2");
    assert.equal((await forced.get()).accessKeyId, "ASIA2");
    assert.equal(source.calls, 2);
  });

  it("after invalidate drops the cached entry and asks the source again", async () => {
    const cache = cacheIn();
    const source = counting();
    const p = cachedSession(source, cache);
    await p.get();
    p.invalidate();
    assert.equal(p.fresh(), undefined);
    assert.equal((await p.get()).accessKeyId, "ASIA2");
  });
});
