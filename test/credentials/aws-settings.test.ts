import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseDuration, parseIni, resolveAwsSettings } from "../../src/credentials/aws-settings.js";
import { KmsealError } from "../../src/core/errors.js";
import { testdir } from "../helpers/testdir.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const ROLE = "arn:aws:iam::123456789012:role/editor";

/** A temp HOME with the files `aws configure` (and a hand-added role profile) leave behind. */
function home(): string {
  return testdir({
    ".aws/config": [
      "[default]",
      "region = us-west-2",
      "",
      "# comments and sub-sections are skipped",
      "[profile dev]",
      "region = eu-west-1",
      `mfa_serial = ${SERIAL}`,
      "duration_seconds = 7200",
      "mfa_process = ykman oath accounts code --single aws",
      "s3 =",
      "  max_concurrent_requests = 20",
      "",
      "[profile editor]",
      `role_arn = ${ROLE}`,
      "source_profile = dev",
      "role_session_name = alice",
      "duration_seconds = 1800",
      "",
    ].join("\n"),
    ".aws/credentials": "[dev]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n",
  });
}

describe("resolveAwsSettings", () => {
  it("reads every setting of the profile named by AWS_PROFILE from the AWS files", () => {
    const s = resolveAwsSettings({ env: { HOME: home(), AWS_PROFILE: "dev" } });
    assert.deepEqual(s, {
      profile: "dev",
      clientProfile: "dev",
      baseProfile: "dev",
      region: "eu-west-1",
      mfaSerial: SERIAL,
      mfaProcess: "ykman oath accounts code --single aws",
      roleArn: undefined,
      roleSessionName: undefined,
      sessionDurationSeconds: 7200,
      roleDurationSeconds: 3600,
    });
  });

  it("follows source_profile for a role: its keys sign, its mfa_serial applies, duration_seconds is the role's", () => {
    const s = resolveAwsSettings({ env: { HOME: home() }, profile: "editor" });
    assert.equal(s.roleArn, ROLE);
    assert.equal(s.baseProfile, "dev");
    assert.equal(s.mfaSerial, SERIAL);
    assert.equal(s.roleSessionName, "alice");
    assert.equal(s.roleDurationSeconds, 1800);
    assert.equal(s.sessionDurationSeconds, 43_200);
    assert.equal(s.region, "eu-west-1");
  });

  it("refuses a --profile or AWS_PROFILE the files lack (auth, exit 5), listing the profiles there are", () => {
    for (const input of [{ profile: "prdo", env: { HOME: home() } }, { env: { HOME: home(), AWS_PROFILE: "prdo" } }]) {
      assert.throws(
        () => resolveAwsSettings(input),
        (e: KmsealError) =>
          e.code === "auth" &&
          /AWS profile prdo is not defined in .*config and .*credentials/.test(e.message) &&
          /profiles there: default, dev, editor;/.test(e.hint ?? ""),
      );
    }
    // A .kmsrc's profile may be missing on a CI runner with its own identity; so may an unset "default".
    assert.equal(resolveAwsSettings({ env: { HOME: home() }, kmsrc: { profile: "ci-only" } }).clientProfile, undefined);
    assert.equal(resolveAwsSettings({ env: { HOME: "/nonexistent" } }).clientProfile, undefined);
  });

  it("honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", () => {
    const dir = testdir({ "c.ini": `[profile x]\nmfa_serial = ${SERIAL}\n`, "k.ini": "[x]\nregion = ap-south-1\n" });
    const s = resolveAwsSettings({
      env: { HOME: "/nonexistent", AWS_CONFIG_FILE: join(dir, "c.ini"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "k.ini"), AWS_PROFILE: "x" },
    });
    assert.equal(s.mfaSerial, SERIAL);
    assert.equal(s.region, "ap-south-1");
  });

  it("lets .kmsrc override the files, and --profile/--region override .kmsrc", () => {
    const env = { HOME: home(), AWS_PROFILE: "default" };
    const kmsrc = {
      profile: "dev",
      region: "ca-central-1",
      mfa_serial: "arn:aws:iam::123456789012:mfa/bob",
      role_arn: ROLE,
      session_duration: "90m",
      role_session_name: "ci",
    };
    const s = resolveAwsSettings({ env, kmsrc });
    assert.equal(s.profile, "dev");
    assert.equal(s.region, "ca-central-1");
    assert.equal(s.mfaSerial, "arn:aws:iam::123456789012:mfa/bob");
    assert.equal(s.roleArn, ROLE);
    assert.equal(s.sessionDurationSeconds, 5400);
    assert.equal(s.roleSessionName, "ci");
    assert.equal(s.roleDurationSeconds, 7200, "with a role, the profile's duration_seconds is the role session's");
    const cli = resolveAwsSettings({ env, kmsrc, profile: "editor", region: "sa-east-1" });
    assert.equal(cli.profile, "editor");
    assert.equal(cli.region, "sa-east-1");
  });

  it("takes the region from AWS_REGION over the files, and defaults to us-east-1", () => {
    assert.equal(resolveAwsSettings({ env: { HOME: home(), AWS_PROFILE: "dev", AWS_REGION: "us-east-2" } }).region, "us-east-2");
    assert.equal(resolveAwsSettings({ env: { HOME: "/nonexistent" } }).region, "us-east-1");
  });

  it("hands SDK clients only a profile that the files define", () => {
    const s = resolveAwsSettings({ env: { HOME: "/nonexistent" }, kmsrc: { profile: "laptop-only", mfa_serial: SERIAL } });
    assert.equal(s.profile, "laptop-only");
    assert.equal(s.clientProfile, undefined);
    assert.equal(s.baseProfile, undefined);
  });

  it("rejects a session duration outside 15 minutes to 36 hours", () => {
    for (const bad of ["10m", "37h", "soon", 0]) {
      assert.throws(
        () => resolveAwsSettings({ env: { HOME: "/nonexistent" }, kmsrc: { session_duration: bad } }),
        (e: KmsealError) => e.code === "usage" && /session_duration/.test(e.message),
      );
    }
  });
});

describe("parseDuration", () => {
  it("reads hours, minutes, seconds and plain numbers", () => {
    assert.equal(parseDuration("12h"), 43_200);
    assert.equal(parseDuration("90m"), 5400);
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration("3600"), 3600);
    assert.equal(parseDuration(900), 900);
    assert.equal(parseDuration("12 hours"), undefined);
  });
});

describe("parseIni", () => {
  it("keeps the last value, lower-cases keys and ignores comment lines", () => {
    assert.deepEqual(parseIni("; c\n[profile  a]\nKey = 1\nkey=2\n# x\n[b]\nv = a=b\n"), { "profile a": { key: "2" }, b: { v: "a=b" } });
  });
});
