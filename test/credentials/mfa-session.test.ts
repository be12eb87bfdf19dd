import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsSettings } from "../../src/credentials/aws-settings.js";
import { credentialsFor } from "../../src/credentials/credentials.js";
import type { CredentialDeps } from "../../src/credentials/credentials.js";
import type { StsClientConfig } from "../../src/credentials/sts-client.js";
import type { Terminal } from "../../src/platform/terminal.js";
import { KmsealError } from "../../src/core/errors.js";
import { testdir } from "../helpers/testdir.js";

const sts = mockClient(STSClient);
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const T0 = Date.parse("2030-01-01T00:00:00Z");
const HOUR = 3_600_000;

function settings(over: Partial<AwsSettings> = {}): AwsSettings {
  return {
    profile: "dev",
    clientProfile: "dev",
    baseProfile: "dev",
    region: "eu-west-1",
    mfaSerial: SERIAL,
    mfaProcess: undefined,
    roleArn: undefined,
    roleSessionName: undefined,
    sessionDurationSeconds: 43_200,
    roleDurationSeconds: 3_600,
    ...over,
  };
}

function sessionReply(id: string, expiresAt: number) {
  return { Credentials: { AccessKeyId: id, SecretAccessKey: `secret-${id}`, SessionToken: `token-${id}`, Expiration: new Date(expiresAt) } };
}

/** A terminal that answers with queued codes and remembers the questions. */
function fakeTerminal(...answers: string[]): Terminal & { questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    ask: (q) => {
      questions.push(q);
      const a = answers.shift();
      if (a === undefined) return Promise.reject(new Error("terminal asked more often than expected"));
      return Promise.resolve(a);
    },
  };
}

interface World {
  deps: CredentialDeps;
  configs: StsClientConfig[];
  clock: { now: number };
  dir: string;
}

function world(over: Partial<CredentialDeps> = {}): World {
  const configs: StsClientConfig[] = [];
  const clock = { now: T0 };
  const dir = join(testdir(), "sessions");
  const deps: CredentialDeps = {
    env: {},
    now: () => clock.now,
    cacheDir: dir,
    log: { warn: () => {} },
    terminal: () => undefined,
    sts: (config) => {
      configs.push(config);
      return Promise.resolve(new STSClient({ region: config.region, credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "base" } }));
    },
    ...over,
  };
  return { deps, configs, clock, dir };
}

describe("fromMfaSession", () => {
  beforeEach(() => sts.reset());

  it("calls GetSessionToken once with the serial, the code and the duration", async () => {
    sts.on(GetSessionTokenCommand).resolves(sessionReply("ASIA1", T0 + 12 * HOUR));
    const w = world({ mfaCode: "123456" });
    const provider = credentialsFor(settings({ sessionDurationSeconds: 7200 }), w.deps);
    assert.ok(provider);
    const creds = await provider();
    assert.equal(creds.accessKeyId, "ASIA1");
    assert.equal(creds.sessionToken, "token-ASIA1");
    assert.equal(creds.expiration?.getTime(), T0 + 12 * HOUR);
    const calls = sts.commandCalls(GetSessionTokenCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.args[0].input, { SerialNumber: SERIAL, TokenCode: "123456", DurationSeconds: 7200 });
    assert.deepEqual(w.configs, [{ region: "eu-west-1", profile: "dev" }]);
  });

  it("reuses the cached session from a new provider without calling STS", async () => {
    sts.on(GetSessionTokenCommand).resolves(sessionReply("ASIA1", T0 + 12 * HOUR));
    const w = world({ mfaCode: "123456" });
    await credentialsFor(settings(), w.deps)!();
    sts.resetHistory();
    const second = credentialsFor(settings(), { ...w.deps, mfaCode: undefined });
    assert.ok(second, "a fresh cached session is usable without any code source");
    assert.equal((await second()).accessKeyId, "ASIA1");
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
  });

  it("asks again when less than five minutes remain", async () => {
    sts
      .on(GetSessionTokenCommand)
      .resolvesOnce(sessionReply("ASIA1", T0 + HOUR))
      .resolves(sessionReply("ASIA2", T0 + 13 * HOUR));
    const terminal = fakeTerminal("111111", "222222");
    const w = world({ terminal: () => terminal });
    await credentialsFor(settings(), w.deps)!();
    w.clock.now = T0 + HOUR - 6 * 60_000;
    assert.equal((await credentialsFor(settings(), w.deps)!()).accessKeyId, "ASIA1", "6 minutes left: still reused");
    w.clock.now = T0 + HOUR - 4 * 60_000;
    assert.equal((await credentialsFor(settings(), w.deps)!()).accessKeyId, "ASIA2");
    assert.deepEqual(
      sts.commandCalls(GetSessionTokenCommand).map((c) => c.args[0].input.TokenCode),
      ["111111", "222222"],
    );
  });

  it("chains AssumeRole on the MFA session's credentials and caches both", async () => {
    sts.on(GetSessionTokenCommand).resolves(sessionReply("ASIASESSION", T0 + 12 * HOUR));
    sts.on(AssumeRoleCommand).resolves({
      ...sessionReply("ASIAROLE", T0 + HOUR),
      AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/editor/kmseal", AssumedRoleId: "AROA1:kmseal" },
    });
    const role = "arn:aws:iam::123456789012:role/editor";
    const w = world({ mfaCode: "123456" });
    const creds = await credentialsFor(settings({ roleArn: role, roleSessionName: "alice" }), w.deps)!();
    assert.equal(creds.accessKeyId, "ASIAROLE");
    const [call] = sts.commandCalls(AssumeRoleCommand);
    assert.deepEqual(call!.args[0].input, { RoleArn: role, RoleSessionName: "alice", DurationSeconds: 3600 });
    assert.equal(w.configs[1]!.credentials && "accessKeyId" in w.configs[1]!.credentials ? w.configs[1]!.credentials.accessKeyId : "", "ASIASESSION");
    // The role expires after 1 h; the 12 h MFA session is still cached, so no new code is needed.
    sts.resetHistory();
    w.clock.now = T0 + HOUR;
    const again = await credentialsFor(settings({ roleArn: role }), { ...w.deps, mfaCode: undefined })!();
    assert.equal(again.accessKeyId, "ASIAROLE");
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 1);
  });

  it("assumes the role with MFA directly when a role session longer than 1 h is configured", async () => {
    sts.on(AssumeRoleCommand).resolves(sessionReply("ASIAROLE", T0 + 8 * HOUR));
    const role = "arn:aws:iam::123456789012:role/editor";
    const w = world({ mfaCode: "654321" });
    await credentialsFor(settings({ roleArn: role, roleDurationSeconds: 28_800 }), w.deps)!();
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    assert.equal(input.SerialNumber, SERIAL);
    assert.equal(input.TokenCode, "654321");
    assert.equal(input.DurationSeconds, 28_800);
    assert.equal(w.configs[0]!.credentials, undefined, "signed with the profile's long-term keys");
  });

  it("asks again on the terminal when STS refuses a code", async () => {
    const refused = Object.assign(new Error("MultiFactorAuthentication failed with invalid MFA one time pass code."), { name: "AccessDenied" });
    sts
      .on(GetSessionTokenCommand)
      .rejectsOnce(refused)
      .resolves(sessionReply("ASIA1", T0 + HOUR * 12));
    const terminal = fakeTerminal("111111", "222222");
    const w = world({ terminal: () => terminal });
    assert.equal((await credentialsFor(settings(), w.deps)!()).accessKeyId, "ASIA1");
    assert.equal(terminal.questions.length, 2);
    assert.match(terminal.questions[1]!, /refused/);
  });

  it("gives up after three refused codes on a terminal", async () => {
    const refused = Object.assign(new Error("MultiFactorAuthentication failed"), { name: "AccessDenied" });
    sts.on(GetSessionTokenCommand).rejects(refused);
    const terminal = fakeTerminal("111111", "222222", "333333");
    const w = world({ terminal: () => terminal });
    await assert.rejects(credentialsFor(settings(), w.deps)!(), (err: KmsealError) => err.code === "auth" && /refused the MFA code/.test(err.message));
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 3);
  });

  it("fails with code auth and the fix command when a refused code cannot be asked again", async () => {
    const refused = Object.assign(new Error("MultiFactorAuthentication failed"), { name: "AccessDenied" });
    sts.on(GetSessionTokenCommand).rejects(refused);
    const w = world({ env: { KMSEAL_MFA_CODE: "123456" } });
    await assert.rejects(credentialsFor(settings(), w.deps)!(), (err: KmsealError) => {
      assert.equal(err.code, "auth");
      assert.match(err.hint ?? "", /KMSEAL_MFA_CODE=<code> kmseal login --profile dev/);
      return true;
    });
    assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 1);
  });

  it("writes the cache 0600 in a 0700 folder", async () => {
    sts.on(GetSessionTokenCommand).resolves(sessionReply("ASIA1", T0 + 12 * HOUR));
    const w = world({ mfaCode: "123456" });
    await credentialsFor(settings(), w.deps)!();
    assert.equal(statSync(w.dir).mode & 0o777, 0o700);
    const [file] = (await import("node:fs")).readdirSync(w.dir);
    assert.equal(statSync(join(w.dir, file!)).mode & 0o777, 0o600);
  });

  it("prompts again after a corrupt cache file instead of crashing", async () => {
    sts
      .on(GetSessionTokenCommand)
      .resolvesOnce(sessionReply("ASIA1", T0 + 12 * HOUR))
      .resolves(sessionReply("ASIA2", T0 + 12 * HOUR));
    const w = world({ mfaCode: "123456" });
    await credentialsFor(settings(), w.deps)!();
    const file = join(w.dir, (await import("node:fs")).readdirSync(w.dir)[0]!);
    writeFileSync(file, "{ not json");
    const terminal = fakeTerminal("222222");
    assert.equal((await credentialsFor(settings(), { ...w.deps, mfaCode: undefined, terminal: () => terminal })!()).accessKeyId, "ASIA2");
    assert.equal(terminal.questions.length, 1);
  });

  it("refuses a cache file readable by others, with a warning", async () => {
    sts
      .on(GetSessionTokenCommand)
      .resolvesOnce(sessionReply("ASIA1", T0 + 12 * HOUR))
      .resolves(sessionReply("ASIA2", T0 + 12 * HOUR));
    const warnings: string[] = [];
    const w = world({ mfaCode: "123456", log: { warn: (m) => warnings.push(m) } });
    await credentialsFor(settings(), w.deps)!();
    const file = join(w.dir, (await import("node:fs")).readdirSync(w.dir)[0]!);
    chmodSync(file, 0o640);
    assert.equal((await credentialsFor(settings(), w.deps)!()).accessKeyId, "ASIA2");
    assert.match(warnings.join("\n"), /mode 0600 \(it is 640\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600, "the refreshed entry replaced it with a private file");
  });

  it("never puts a secret in an error message", async () => {
    sts
      .on(GetSessionTokenCommand)
      .rejects(Object.assign(new Error("The security token included in the request is invalid: AKIAABCDEFGHIJKLMNOP"), { name: "InvalidClientTokenId" }));
    const w = world({ mfaCode: "123456" });
    await assert.rejects(credentialsFor(settings(), w.deps)!(), (err: KmsealError) => {
      assert.equal(err.code, "auth");
      assert.doesNotMatch(`${err.message} ${err.hint}`, /AKIA|123456/);
      assert.match(err.hint ?? "", /aws configure --profile dev/);
      return true;
    });
  });
});
