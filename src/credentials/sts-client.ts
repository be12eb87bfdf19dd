/**
 * The STS side of the AWS SDK, owned here: clients and the three calls kmseal makes. The SDK is loaded
 * on the first call (a dynamic import), so callers import this module statically and commands that
 * never reach AWS do not pay for it. Endpoints follow the SDK's own rules (AWS_ENDPOINT_URL_STS,
 * AWS_ENDPOINT_URL, endpoint_url). Failures become `auth` errors that name the fix (sts-errors.ts).
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentials, CallerIdentity, CredentialProvider } from "./credential-identity.js";
import type { CachedSession, SessionKey } from "./session-cache.js";
import { stsError, type StsErrorContext } from "./sts-errors.js";

export interface StsClientConfig {
  region: string;
  /** Explicit credentials (an MFA session for role chaining); otherwise the SDK's chain for `profile`. */
  credentials?: AwsCredentials | CredentialProvider | undefined;
  profile?: string | undefined;
}

export type StsFactory = (config: StsClientConfig) => Promise<STSClient>;

type Sdk = typeof import("@aws-sdk/client-sts");
let sdk: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  quietSdkVersionWarning();
  return (sdk ??= import("@aws-sdk/client-sts"));
}

export const createStsClient: StsFactory = async (config) => {
  const { STSClient } = await loadSdk();
  return new STSClient({
    region: config.region,
    ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
    ...(config.profile !== undefined ? { profile: config.profile } : {}),
    // An STS endpoint that accepts the connection but never answers must not hang kmseal.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
  });
};

/** Where one STS call goes and how its failure is explained. */
export interface StsCall {
  readonly sts: StsFactory;
  readonly config: StsClientConfig;
  readonly error: Omit<StsErrorContext, "operation">;
}

export interface StsSession {
  readonly Credentials?:
    { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined; Expiration?: Date | undefined } | undefined;
  readonly AssumedRoleUser?: { Arn?: string | undefined; AssumedRoleId?: string | undefined } | undefined;
}

export function getSessionToken(call: StsCall, input: { SerialNumber: string; TokenCode: string; DurationSeconds: number }): Promise<StsSession> {
  return send(call, "GetSessionToken", async (m, client) => client.send(new m.GetSessionTokenCommand(input)));
}

export function assumeRole(
  call: StsCall,
  input: { RoleArn: string; RoleSessionName: string; DurationSeconds: number; SerialNumber?: string; TokenCode?: string },
): Promise<StsSession> {
  return send(call, "AssumeRole", async (m, client) => client.send(new m.AssumeRoleCommand(input)));
}

export async function getCallerIdentity(call: StsCall): Promise<CallerIdentity> {
  const out = await send(call, "GetCallerIdentity", async (m, client) => client.send(new m.GetCallerIdentityCommand({})));
  return { arn: out.Arn ?? "", account: out.Account ?? "", userId: out.UserId ?? "" };
}

async function send<T>(call: StsCall, operation: StsErrorContext["operation"], fn: (m: Sdk, client: STSClient) => Promise<T>): Promise<T> {
  try {
    const m = await loadSdk();
    return await fn(m, await call.sts(call.config));
  } catch (err) {
    throw stsError(err, { ...call.error, operation });
  }
}

/** The cache entry for what STS answered; an answer without complete credentials is an `auth` error. */
export function sessionOf(key: SessionKey, out: StsSession, createdAt: number, fixCommand: string): CachedSession {
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) {
    throw stsError(new Error("STS returned no credentials"), {
      operation: key.kind === "role" ? "AssumeRole" : "GetSessionToken",
      profile: key.profile,
      signer: undefined,
      fixCommand,
    });
  }
  const user = out.AssumedRoleUser;
  const identity = user?.Arn !== undefined ? { arn: user.Arn, account: user.Arn.split(":")[4] ?? "", userId: user.AssumedRoleId ?? "" } : undefined;
  return {
    ...key,
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: new Date(c.Expiration).toISOString(),
    identity,
    createdAt: new Date(createdAt).toISOString(),
  };
}

/**
 * The SDK warns on Node 20 that future releases will need Node 22. kmseal supports Node 20, and the
 * warning on stderr would look like an error to users, so it is switched off unless the user set it.
 * Call before constructing any SDK client (KMS included).
 */
export function quietSdkVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
}
