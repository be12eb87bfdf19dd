/**
 * Every sign-in of the AWS SDK's default chain, end to end: a prepared ~/.aws (and SSO / aws login
 * token caches) in a temp HOME, the identity endpoints stubbed on 127.0.0.1 (IAM Identity Center's
 * GetRoleCredentials, the ECS container endpoint, IMDSv2) or served by moto (STS), and moto's recorder
 * showing which access key signed each KMS request. Each test fails if kmseal ignored its source: the
 * KMS calls would be signed with another key (or fail), and whoami would name another source.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { ACCOUNT_ID } from "./harness/kms-server.js";
import { DEAD_ENDPOINT, env as peerEnv } from "./harness/peer-env.js";
import { makeProject, plainFixtures } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";
import { encryptedName, formatOf } from "./harness/file-format.js";
import type { MotoServer } from "./harness/moto.js";

const KMSRC = "aws:\n  region: us-east-1\nrules: []\n";
const HOUR = 3_600_000;

interface Whoami {
  profile: string | null;
  source: string;
  identity?: { arn: string; account: string };
  expiration?: string;
  secondsLeft?: number;
  mfaSerial?: string;
}

/** A loopback HTTP stub: records every request and answers with `handle`. */
async function stub(handle: (req: IncomingMessage, body: string) => { status?: number; body: string }) {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage["headers"] }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      const out = handle(req, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(out.status ?? 200, { "content-type": "application/json" });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

/** The peer environment without its environment keys, with these AWS files written into its HOME. */
function signInEnv(moto: MotoServer, files: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const e = peerEnv(moto, extra);
  delete e["AWS_ACCESS_KEY_ID"];
  delete e["AWS_SECRET_ACCESS_KEY"];
  mkdirSync(join(e["HOME"]!, ".aws"), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const path = join(e["HOME"]!, rel);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text, { mode: 0o600 });
  }
  for (const [k, v] of Object.entries(extra)) e[k] = v;
  return e;
}

peerSuite("every AWS sign-in of the SDK chain (moto, stubs on 127.0.0.1)", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);
  const fixture = plainFixtures().find((f) => formatOf(f) === "yaml") ?? "basic.yaml";

  /** encrypt + decrypt with a fresh key; every KMS request must be signed with `accessKeyId`; then whoami --json. */
  async function sealAndAsk(e: Record<string, string>, accessKeyId: string | ((keyId: string) => void), kmsrc = KMSRC): Promise<Whoami> {
    const key = await createKey(moto());
    const project = makeProject(kmsrc);
    project.copyFixture(fixture);
    const mark = (await moto().recorded()).length;
    const enc = await kmseal(["encrypt", fixture, "--kms", key.arn], { env: e, cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    const dec = await kmseal(["decrypt", encryptedName(fixture), "--stdout"], { env: e, cwd: project.dir });
    assert.equal(dec.code, 0, describeResult("kmseal decrypt", dec));
    const kms = (await moto().recorded()).slice(mark).filter((r) => r.kmsOperation === "Encrypt" || r.kmsOperation === "Decrypt");
    assert.deepEqual(
      kms.map((r) => r.kmsOperation),
      ["Encrypt", "Decrypt"],
    );
    for (const r of kms) {
      if (typeof accessKeyId === "string") assert.equal(r.signedWith, accessKeyId, `${r.kmsOperation} was signed with another key`);
      else accessKeyId(r.signedWith ?? "");
    }
    const who = await kmseal(["whoami", "--json"], { env: e, cwd: project.dir });
    assert.equal(who.code, 0, describeResult("kmseal whoami --json", who));
    const w = JSON.parse(who.stdout.toString()) as Whoami;
    // The text form says the same: identity, then profile, source and expiry on one line.
    const text = await kmseal(["whoami"], { env: e, cwd: project.dir });
    assert.equal(text.code, 0, describeResult("kmseal whoami", text));
    // A second sign-in may get a new session, so the text's expiry is checked for its form only.
    const expires = w.expiration !== undefined ? "expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(\\d+h \\d+m left\\)" : "expires never \\(no expiry given\\)";
    const profile = w.profile !== null ? `profile ${w.profile}` : "no profile";
    assert.match(text.stdout.toString(), new RegExp(`^[^\\n]+\\n${profile}, ${w.source}, ${expires}\\n$`));
    return w;
  }

  const expiresIn = (w: Whoami, iso: string) => {
    assert.equal(w.expiration, iso);
    assert.ok(w.secondsLeft !== undefined && w.secondsLeft > 0 && w.secondsLeft <= HOUR / 1000, `secondsLeft ${w.secondsLeft}`);
  };

  it("environment keys: source env, no profile, no expiry", async () => {
    const e = signInEnv(moto(), {}, { AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00001", AWS_SECRET_ACCESS_KEY: "env-secret" });
    const w = await sealAndAsk(e, "AKIAENVIRONMENT00001");
    assert.equal(w.source, "env");
    assert.equal(w.profile, null);
    assert.equal(w.expiration, undefined);
  });

  it("a profile's static keys: source profile, named, and the environment's other keys unused", async () => {
    const e = signInEnv(
      moto(),
      {
        ".aws/config": "[profile dev]\nregion = us-east-1\n[profile other]\nregion = us-east-1\n",
        ".aws/credentials":
          "[dev]\naws_access_key_id = AKIAPROFILEDEV00001\naws_secret_access_key = dev-secret\n[other]\naws_access_key_id = AKIAOTHER0000000001\naws_secret_access_key = o\n",
      },
      { AWS_PROFILE: "dev" },
    );
    const w = await sealAndAsk(e, "AKIAPROFILEDEV00001");
    assert.equal(w.source, "profile");
    assert.equal(w.profile, "dev");
    assert.deepEqual(
      (await moto().recorded()).filter((r) => r.action === "GetSessionToken"),
      [],
      "no MFA session without mfa_serial",
    );
  });

  it("a role assumed from a source profile (no MFA): AssumeRole signed by the source, KMS by the role session", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/kmseal-editor`;
    const e = signInEnv(
      moto(),
      {
        ".aws/config": `[profile editor]\nregion = us-east-1\nrole_arn = ${roleArn}\nsource_profile = base\n[profile base]\nregion = us-east-1\n`,
        ".aws/credentials": "[base]\naws_access_key_id = AKIABASEPROFILE0001\naws_secret_access_key = base-secret\n",
      },
      { AWS_PROFILE: "editor" },
    );
    // Each kmseal process assumes the role afresh (the SDK keeps no role session on disk).
    const w = await sealAndAsk(e, (signer) => {
      assert.match(signer, /^ASIA/, "KMS was not signed with a role session");
    });
    const assumed = (await moto().recorded()).filter((r) => r.action === "AssumeRole");
    assert.equal(assumed.length, 4, "encrypt, decrypt and both whoami each assume the role");
    for (const call of assumed) {
      assert.equal(call.params["RoleArn"], roleArn);
      assert.equal(call.signedWith, "AKIABASEPROFILE0001");
    }
    assert.equal(w.source, "assume-role");
    assert.equal(w.profile, "editor");
    assert.match(w.identity?.arn ?? "", /assumed-role\/kmseal-editor\//);
    assert.ok(w.expiration !== undefined);
  });

  for (const style of ["sso_session", "legacy sso_*"] as const) {
    it(`IAM Identity Center (${style}): GetRoleCredentials at the portal with the cached token`, async () => {
      const expiration = Date.now() + HOUR - 60_000;
      const portal = await stub((req) => {
        const url = new URL(req.url ?? "/", "http://x");
        const ok =
          url.pathname === "/federation/credentials" &&
          url.searchParams.get("role_name") === "KmsealUser" &&
          url.searchParams.get("account_id") === ACCOUNT_ID &&
          req.headers["x-amz-sso_bearer_token"] === "sso-access-token";
        if (!ok) return { status: 401, body: JSON.stringify({ message: "stub: unexpected request" }) };
        return {
          body: JSON.stringify({
            roleCredentials: { accessKeyId: "ASIASSOPORTAL000001", secretAccessKey: "sso-secret", sessionToken: "sso-session-token", expiration },
          }),
        };
      });
      try {
        const startUrl = "https://kmseal-test.awsapps.com/start";
        const tokenExpiry = new Date(Date.now() + 2 * HOUR).toISOString();
        const config =
          style === "sso_session"
            ? `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT_ID}\nsso_role_name = KmsealUser\nregion = us-east-1\n` +
              `[sso-session corp]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`
            : `[profile sso]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = ${ACCOUNT_ID}\nsso_role_name = KmsealUser\nregion = us-east-1\n`;
        // The SDK's cache names: sha1 of the session name, or of the start URL for legacy profiles.
        const cacheName = createHash("sha1")
          .update(style === "sso_session" ? "corp" : startUrl)
          .digest("hex");
        const token = { accessToken: "sso-access-token", expiresAt: tokenExpiry, region: "us-east-1", startUrl };
        const e = signInEnv(
          moto(),
          { ".aws/config": config, [`.aws/sso/cache/${cacheName}.json`]: JSON.stringify(token) },
          { AWS_PROFILE: "sso", AWS_ENDPOINT_URL_SSO: portal.url },
        );
        const w = await sealAndAsk(e, "ASIASSOPORTAL000001");
        assert.ok(portal.seen.length >= 1, "the portal was never asked");
        assert.equal(w.source, "sso");
        assert.equal(w.profile, "sso");
        expiresIn(w, new Date(expiration).toISOString());
      } finally {
        await portal.close();
      }
    });
  }

  it("IAM Identity Center: a token near expiry is refreshed through SSO OIDC, then used at the portal", async () => {
    const oidc = await stub((req, body) => {
      const input = JSON.parse(body || "{}") as Record<string, string>;
      const ok = req.url === "/token" && input["grantType"] === "refresh_token" && input["refreshToken"] === "old-refresh" && input["clientId"] === "client-1";
      return ok
        ? { body: JSON.stringify({ accessToken: "refreshed-access-token", expiresIn: 3600, refreshToken: "new-refresh", tokenType: "Bearer" }) }
        : { status: 400, body: JSON.stringify({ error: "invalid_request" }) };
    });
    const portal = await stub((req) =>
      req.headers["x-amz-sso_bearer_token"] === "refreshed-access-token"
        ? {
            body: JSON.stringify({
              roleCredentials: { accessKeyId: "ASIASSOREFRESHED001", secretAccessKey: "s", sessionToken: "t", expiration: Date.now() + HOUR },
            }),
          }
        : { status: 401, body: JSON.stringify({ message: "stub: stale token" }) },
    );
    try {
      const startUrl = "https://kmseal-test.awsapps.com/start";
      const token = {
        accessToken: "stale-access-token",
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        refreshToken: "old-refresh",
        clientId: "client-1",
        clientSecret: "client-secret",
        registrationExpiresAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString(),
        region: "us-east-1",
        startUrl,
      };
      const e = signInEnv(
        moto(),
        {
          ".aws/config":
            `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT_ID}\nsso_role_name = KmsealUser\nregion = us-east-1\n` +
            `[sso-session corp]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\n`,
          [`.aws/sso/cache/${createHash("sha1").update("corp").digest("hex")}.json`]: JSON.stringify(token),
        },
        { AWS_PROFILE: "sso", AWS_ENDPOINT_URL_SSO: portal.url, AWS_ENDPOINT_URL_SSO_OIDC: oidc.url },
      );
      const w = await sealAndAsk(e, "ASIASSOREFRESHED001");
      assert.ok(oidc.seen.length >= 1, "the token was not refreshed");
      assert.equal(w.source, "sso");
    } finally {
      await Promise.all([oidc.close(), portal.close()]);
    }
  });

  it("IAM Identity Center: an expired token without a refresh exits 5 with `aws sso login`, before any KMS call", async () => {
    const key = await createKey(moto());
    const project = makeProject(KMSRC);
    project.copyFixture(fixture);
    const e = signInEnv(
      moto(),
      {
        ".aws/config": `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT_ID}\nsso_role_name = R\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n`,
        [`.aws/sso/cache/${createHash("sha1").update("corp").digest("hex")}.json`]: JSON.stringify({ accessToken: "t", expiresAt: "2020-01-01T00:00:00Z" }),
      },
      { AWS_PROFILE: "sso", AWS_ENDPOINT_URL_SSO: DEAD_ENDPOINT },
    );
    const mark = (await moto().recorded()).length;
    for (const args of [
      ["encrypt", fixture, "--kms", key.arn],
      ["whoami", "--json"],
    ]) {
      const r = await kmseal(args, { env: e, cwd: project.dir });
      assert.equal(r.code, 5, describeResult(`kmseal ${args[0]}`, r));
      assert.match(r.stderr, /cannot get AWS credentials for profile sso: .*SSO/);
      assert.match(r.stderr, /hint: sign in again with `aws sso login --profile sso`/);
    }
    assert.deepEqual((await moto().recorded()).slice(mark), []);
    assert.equal(project.exists(encryptedName(fixture)), false);
  });

  it("aws login (login_session): the cached login token's credentials sign KMS", async () => {
    const expiresAt = new Date(Date.now() + HOUR - 60_000).toISOString();
    const session = `arn:aws:iam::${ACCOUNT_ID}:user/alice`;
    const cacheName = createHash("sha256").update(session).digest("hex");
    const token = {
      accessToken: { accessKeyId: "ASIALOGINSESSION001", secretAccessKey: "login-secret", sessionToken: "login-token", accountId: ACCOUNT_ID, expiresAt },
      tokenType: "aws_sigv4",
      clientId: `arn:aws:signin:::devtools/same-device`,
      refreshToken: "login-refresh-token",
      idToken: "unused",
      // Read only to sign a refresh, which this test never reaches (the access token is fresh).
      dpopKey: "-----BEGIN EC PRIVATE KEY-----\nunused\n-----END EC PRIVATE KEY-----\n",
    };
    const e = signInEnv(
      moto(),
      { ".aws/config": `[profile console]\nlogin_session = ${session}\nregion = us-east-1\n`, [`.aws/login/cache/${cacheName}.json`]: JSON.stringify(token) },
      { AWS_PROFILE: "console" },
    );
    const w = await sealAndAsk(e, "ASIALOGINSESSION001");
    assert.equal(w.source, "login");
    assert.equal(w.profile, "console");
    expiresIn(w, expiresAt);
  });

  it("aws login: a token near expiry is refreshed at the sign-in endpoint (DPoP-signed) and the cache rewritten", async () => {
    const session = `arn:aws:iam::${ACCOUNT_ID}:user/bob`;
    const cacheRel = `.aws/login/cache/${createHash("sha256").update(session).digest("hex")}.json`;
    const dpopKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const signin = await stub((req, body) => {
      const input = JSON.parse(body || "{}") as Record<string, string>;
      const ok =
        req.method === "POST" &&
        req.url === "/v1/token" &&
        typeof req.headers["dpop"] === "string" &&
        input["grantType"] === "refresh_token" &&
        input["refreshToken"] === "login-refresh-1";
      if (!ok) return { status: 400, body: JSON.stringify({ error: "INVALID_REQUEST", message: "stub: unexpected request" }) };
      return {
        body: JSON.stringify({
          accessToken: { accessKeyId: "ASIALOGINREFRESHED1", secretAccessKey: "r", sessionToken: "refreshed" },
          tokenType: "aws_sigv4",
          expiresIn: 900,
          refreshToken: "login-refresh-2",
        }),
      };
    });
    try {
      const token = {
        accessToken: {
          accessKeyId: "ASIALOGINSTALE00001",
          secretAccessKey: "old",
          sessionToken: "old",
          accountId: ACCOUNT_ID,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        },
        tokenType: "aws_sigv4",
        clientId: "arn:aws:signin:::devtools/same-device",
        refreshToken: "login-refresh-1",
        dpopKey,
      };
      const e = signInEnv(
        moto(),
        { ".aws/config": `[profile console]\nlogin_session = ${session}\nregion = us-east-1\n`, [cacheRel]: JSON.stringify(token) },
        { AWS_PROFILE: "console", AWS_ENDPOINT_URL_SIGNIN: signin.url },
      );
      const w = await sealAndAsk(e, "ASIALOGINREFRESHED1");
      assert.equal(signin.seen.length, 1, "refreshed once, then the rewritten cache was used");
      assert.equal(w.source, "login");
      const cached = JSON.parse(readFileSync(join(e["HOME"]!, cacheRel), "utf8")) as { refreshToken: string };
      assert.equal(cached.refreshToken, "login-refresh-2");
    } finally {
      await signin.close();
    }
  });

  it("credential_process in ~/.aws/config: the helper's JSON credentials sign KMS", async () => {
    const expiration = new Date(Date.now() + HOUR - 60_000).toISOString();
    const e = signInEnv(moto(), {}, { AWS_PROFILE: "helper" });
    const script = join(e["HOME"]!, "creds-helper.mjs");
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "ASIAPROCESSHELPER01", SecretAccessKey: "p", SessionToken: "t", Expiration: ${JSON.stringify(expiration)} }));\n`,
    );
    writeFileSync(e["AWS_CONFIG_FILE"]!, `[profile helper]\nregion = us-east-1\ncredential_process = ${process.execPath} ${script}\n`);
    const w = await sealAndAsk(e, "ASIAPROCESSHELPER01");
    assert.equal(w.source, "process");
    assert.equal(w.profile, "helper");
    expiresIn(w, expiration);
  });

  for (const where of ["environment", "profile"] as const) {
    it(`web identity from the ${where}: AssumeRoleWithWebIdentity at STS with the token file`, async () => {
      const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/ci-deploy`;
      const base = signInEnv(moto(), {});
      const tokenFile = join(base["HOME"]!, "oidc-token");
      writeFileSync(tokenFile, "header.payload.signature");
      const e: Record<string, string> =
        where === "environment"
          ? { ...base, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn, AWS_ROLE_SESSION_NAME: "ci-run" }
          : { ...base, AWS_PROFILE: "oidc" };
      if (where === "profile")
        writeFileSync(e["AWS_CONFIG_FILE"]!, `[profile oidc]\nregion = us-east-1\nweb_identity_token_file = ${tokenFile}\nrole_arn = ${roleArn}\n`);
      const w = await sealAndAsk(e, (signer) => {
        assert.match(signer, /^ASIA/, "KMS was not signed with a web identity session");
      });
      const calls = (await moto().recorded()).filter((r) => r.action === "AssumeRoleWithWebIdentity");
      assert.equal(calls.length, 4, "encrypt, decrypt and both whoami each exchange the token");
      for (const call of calls) {
        assert.equal(call.params["RoleArn"], roleArn);
        assert.equal(call.params["WebIdentityToken"], "header.payload.signature");
      }
      assert.equal(w.source, "web-identity");
      assert.equal(w.profile, where === "profile" ? "oidc" : null);
      assert.match(w.identity?.arn ?? "", /assumed-role\/ci-deploy\//);
    });
  }

  it("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI on loopback, with its authorization token)", async () => {
    const expiration = new Date(Date.now() + HOUR - 60_000).toISOString();
    const ecs = await stub((req) =>
      req.url === "/v2/credentials/task" && req.headers["authorization"] === "ecs-auth-token"
        ? { body: JSON.stringify({ AccessKeyId: "ASIACONTAINERTASK01", SecretAccessKey: "c", Token: "container-token", Expiration: expiration }) }
        : { status: 403, body: "{}" },
    );
    try {
      const e = signInEnv(
        moto(),
        {},
        { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/v2/credentials/task`, AWS_CONTAINER_AUTHORIZATION_TOKEN: "ecs-auth-token" },
      );
      const w = await sealAndAsk(e, "ASIACONTAINERTASK01");
      assert.ok(ecs.seen.length >= 1);
      assert.equal(w.source, "container");
      assert.equal(w.profile, null);
      expiresIn(w, expiration);
    } finally {
      await ecs.close();
    }
  });

  it("instance credentials through IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT on loopback)", async () => {
    const expiration = new Date(Date.now() + HOUR - 60_000).toISOString();
    const imds = await stub((req) => {
      if (req.method === "PUT" && req.url === "/latest/api/token") return { body: "imds-session-token" };
      if (req.headers["x-aws-ec2-metadata-token"] !== "imds-session-token") return { status: 401, body: "" };
      if (req.url === "/latest/meta-data/iam/security-credentials/") return { body: "kmseal-instance-role" };
      if (req.url === "/latest/meta-data/iam/security-credentials/kmseal-instance-role")
        return {
          body: JSON.stringify({
            Code: "Success",
            Type: "AWS-HMAC",
            AccessKeyId: "ASIAINSTANCEROLE001",
            SecretAccessKey: "i",
            Token: "instance-token",
            Expiration: expiration,
            LastUpdated: new Date().toISOString(),
          }),
        };
      return { status: 404, body: "" };
    });
    try {
      const e = signInEnv(moto(), {}, { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
      delete e["AWS_EC2_METADATA_DISABLED"];
      const w = await sealAndAsk(e, "ASIAINSTANCEROLE001");
      assert.ok(
        imds.seen.some((r) => r.method === "PUT"),
        "IMDSv2 token was never asked",
      );
      assert.equal(w.source, "instance");
      assert.equal(w.profile, null);
      expiresIn(w, expiration);
    } finally {
      await imds.close();
    }
  });

  it("the MFA session applies only to the profile with mfa_serial", async () => {
    const serial = `arn:aws:iam::${ACCOUNT_ID}:mfa/alice`;
    const files = {
      ".aws/config": `[profile plain]\nregion = us-east-1\n[profile guarded]\nregion = us-east-1\nmfa_serial = ${serial}\n`,
      ".aws/credentials":
        "[plain]\naws_access_key_id = AKIAPLAINPROFILE001\naws_secret_access_key = p\n[guarded]\naws_access_key_id = AKIAGUARDEDLONG0001\naws_secret_access_key = g\n",
    };
    const plain = await sealAndAsk(signInEnv(moto(), files, { AWS_PROFILE: "plain" }), "AKIAPLAINPROFILE001");
    assert.equal(plain.source, "profile");
    assert.deepEqual(
      (await moto().recorded()).filter((r) => r.action === "GetSessionToken"),
      [],
    );

    const e = signInEnv(moto(), files, { AWS_PROFILE: "guarded", KMSEAL_MFA_CODE: "123456" });
    const guarded = await sealAndAsk(e, (signer) => {
      assert.notEqual(signer, "AKIAGUARDEDLONG0001", "the long-term keys signed KMS despite mfa_serial");
    });
    const sessions = (await moto().recorded()).filter((r) => r.action === "GetSessionToken");
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.params["SerialNumber"], serial);
    assert.equal(sessions[0]!.signedWith, "AKIAGUARDEDLONG0001");
    assert.equal(guarded.source, "mfa-session");
    assert.equal(guarded.profile, "guarded");
    assert.equal(guarded.mfaSerial, serial);
  });

  it("an MFA profile named by .kmsrc, in CI with a web identity and nothing cached, signs with the web identity, not the long-term keys", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/ci-deploy`;
    const e = signInEnv(moto(), {
      ".aws/config": `[profile guarded]\nregion = us-east-1\nmfa_serial = arn:aws:iam::${ACCOUNT_ID}:mfa/alice\n`,
      ".aws/credentials": "[guarded]\naws_access_key_id = AKIAGUARDEDLONG0001\naws_secret_access_key = g\n",
    });
    const tokenFile = join(e["HOME"]!, "oidc-token");
    writeFileSync(tokenFile, "header.payload.signature");
    Object.assign(e, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn });
    const w = await sealAndAsk(
      e,
      (signer) => {
        assert.match(signer, /^ASIA/, "KMS was not signed with the web identity session");
      },
      "aws:\n  profile: guarded\n  region: us-east-1\nrules: []\n",
    );
    assert.equal(w.source, "web-identity");
    assert.equal(w.profile, null);
    assert.deepEqual(
      (await moto().recorded()).filter((r) => r.action === "GetSessionToken" || r.signedWith === "AKIAGUARDEDLONG0001"),
      [],
    );
  });

  it("an unknown --profile or AWS_PROFILE exits 5, lists the profiles there are, and calls nothing", async () => {
    const key = await createKey(moto());
    const project = makeProject(KMSRC);
    project.copyFixture(fixture);
    const e = signInEnv(moto(), {
      ".aws/config": "[profile dev]\nregion = us-east-1\n[default]\nregion = us-east-1\n[sso-session corp]\nsso_region = us-east-1\n",
      ".aws/credentials": "[ci]\naws_access_key_id = AKIACIPROFILE000001\naws_secret_access_key = c\n",
    });
    const mark = (await moto().recorded()).length;
    for (const [what, args, extra] of [
      ["--profile", ["whoami", "--json", "--profile", "dve"], {}],
      ["AWS_PROFILE", ["encrypt", fixture, "--kms", key.arn], { AWS_PROFILE: "dve" }],
    ] as const) {
      const r = await kmseal(args, { env: { ...e, ...extra }, cwd: project.dir });
      assert.equal(r.code, 5, describeResult(`${what} dve`, r));
      assert.match(r.stderr, /AWS profile dve is not defined/);
      assert.match(r.stderr, /profiles there: ci, default, dev;/);
    }
    assert.deepEqual((await moto().recorded()).slice(mark), [], "an unknown profile reached AWS");
    assert.equal(project.exists(encryptedName(fixture)), false);
  });
});
