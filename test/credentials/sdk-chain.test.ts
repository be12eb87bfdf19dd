import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chainError, sdkChain, sourceOf } from "../../src/credentials/sdk-chain.js";
import { KmsealError } from "../../src/core/errors.js";

describe("sdkChain source", () => {
  it("names the outermost provider the SDK marked the credentials with", () => {
    // A role assumed from an SSO profile carries both marks: it is an assumed role.
    assert.deepEqual(sourceOf({ CREDENTIALS_PROFILE_SSO: "r", CREDENTIALS_PROFILE_SOURCE_PROFILE: "o", CREDENTIALS_STS_ASSUME_ROLE: "i" }, {}), {
      source: "assume-role",
      fromProfile: true,
    });
    assert.deepEqual(sourceOf({ CREDENTIALS_PROFILE_SSO_LEGACY: "t" }, {}), { source: "sso", fromProfile: true });
    assert.deepEqual(sourceOf({ CREDENTIALS_PROFILE_LOGIN: "AC", CREDENTIALS_LOGIN: "AD" }, {}), { source: "login", fromProfile: true });
    assert.deepEqual(sourceOf({ CREDENTIALS_PROFILE_PROCESS: "v", CREDENTIALS_PROCESS: "w" }, {}), { source: "process", fromProfile: true });
    assert.deepEqual(sourceOf({ CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: "h", CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: "k" }, {}), {
      source: "web-identity",
      fromProfile: false,
    });
    assert.deepEqual(sourceOf({ CREDENTIALS_PROFILE: "n" }, {}), { source: "profile", fromProfile: true });
    assert.deepEqual(sourceOf({ CREDENTIALS_ENV_VARS: "g" }, {}), { source: "env", fromProfile: false });
  });

  it("tells container from instance credentials by the variables that send the chain to each", () => {
    assert.equal(sourceOf({}, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" }).source, "container");
    assert.equal(sourceOf({}, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/creds" }).source, "container");
    assert.equal(sourceOf({}, { AWS_CONTAINER_CREDENTIALS_FULL_URI: " " }).source, "instance");
    assert.equal(sourceOf({ CREDENTIALS_HTTP: "z" }, {}).source, "container");
  });

  it("reports environment keys through the SDK's own provider, and remembers the use", async () => {
    const saved = { ...process.env };
    process.env["AWS_ACCESS_KEY_ID"] = "AKIACHAINUNITTEST01";
    process.env["AWS_SECRET_ACCESS_KEY"] = "s";
    delete process.env["AWS_PROFILE"];
    try {
      const chain = sdkChain(undefined);
      assert.equal(chain.lastUse(), undefined);
      assert.equal((await chain.provider()).accessKeyId, "AKIACHAINUNITTEST01");
      assert.deepEqual(chain.lastUse(), { source: "env", fromProfile: false, expiration: undefined });
    } finally {
      process.env = saved;
    }
  });
});

describe("chainError", () => {
  it("is an auth error that keeps the SDK's reason, redacted, and names the sign-in command", () => {
    const sso = chainError(new Error("The SSO session associated with this profile has expired or is otherwise invalid."), "dev");
    assert.ok(sso instanceof KmsealError);
    assert.equal(sso.code, "auth");
    assert.match(sso.message, /^cannot get AWS credentials for profile dev: The SSO session .* expired/);
    assert.match(sso.hint ?? "", /`aws sso login --profile dev`/);
    assert.match(
      chainError(new Error("Failed to load a token for session x, please re-authenticate using aws login"), "console").hint ?? "",
      /`aws login --profile console`/,
    );
    const none = chainError(new Error("Could not load credentials from any providers"), undefined);
    assert.match(none.message, /from the environment/);
    assert.match(none.hint ?? "", /AWS_PROFILE/);
    assert.doesNotMatch(chainError(new Error("bad key AKIAABCDEFGHIJKLMNOP"), "p").message, /AKIAABCDEFGHIJKLMNOP/);
  });
});
