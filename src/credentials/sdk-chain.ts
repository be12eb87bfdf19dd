/**
 * Every sign-in the AWS SDK's default chain knows (environment keys, a profile's static keys, a role
 * assumed from a source profile, IAM Identity Center `sso_session` and legacy `sso_*` profiles,
 * `aws login` `login_session` profiles, `credential_process`, web identity, container and instance
 * credentials), as one provider that also remembers which of them answered. The SDK's own provider
 * does the work; it is loaded on the first call, so commands that never reach AWS do not pay for it.
 *
 * `credential_process` and the other settings that run programs or read tokens come only from the
 * user's AWS files: the SDK reads nothing from a project's `.kmsrc` (config/repo-trust.ts refuses them
 * there).
 */
import { KmsealError } from "../core/errors.js";
import type { AwsCredentials, CredentialProvider } from "./credential-identity.js";
import { redact } from "./sts-errors.js";

/** Where credentials came from, as `whoami` names it (the MFA session's own names are in ops/session.ts). */
export type ChainSource = "env" | "profile" | "assume-role" | "sso" | "login" | "process" | "web-identity" | "container" | "instance";

export interface ChainUse {
  readonly source: ChainSource;
  /** Whether the source is a profile of the AWS files (false for the environment and the machine's role). */
  readonly fromProfile: boolean;
  readonly expiration: Date | undefined;
}

export interface SdkChain {
  /** Hand this to an SDK client; it forwards the client's own config to the SDK's providers. */
  readonly provider: CredentialProvider & ((props?: ChainProps) => Promise<AwsCredentials>);
  /** The profile the chain signs in with; undefined: AWS_PROFILE or the environment, as the SDK decides. */
  readonly profile: string | undefined;
  /** What the last successful call of `provider` used, or undefined before one. */
  readonly lastUse: () => ChainUse | undefined;
}

/**
 * The SDK marks each credentials object with the providers that made it (`$source`, the feature ids it
 * also reports in the user agent). Outer providers first: a role assumed from an SSO profile carries
 * both marks and is an assumed role.
 */
const FEATURES: ReadonlyArray<readonly [feature: string, source: ChainSource, fromProfile: boolean]> = [
  ["CREDENTIALS_STS_ASSUME_ROLE", "assume-role", true],
  ["CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN", "web-identity", false],
  ["CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN", "web-identity", true],
  ["CREDENTIALS_PROFILE_LOGIN", "login", true],
  ["CREDENTIALS_LOGIN", "login", true],
  ["CREDENTIALS_PROFILE_PROCESS", "process", true],
  ["CREDENTIALS_PROCESS", "process", true],
  ["CREDENTIALS_PROFILE_SSO", "sso", true],
  ["CREDENTIALS_PROFILE_SSO_LEGACY", "sso", true],
  ["CREDENTIALS_SSO", "sso", true],
  ["CREDENTIALS_SSO_LEGACY", "sso", true],
  ["CREDENTIALS_HTTP", "container", false],
  ["CREDENTIALS_IMDS", "instance", false],
  ["CREDENTIALS_PROFILE", "profile", true],
  ["CREDENTIALS_ENV_VARS", "env", false],
];

const CONTAINER_ENV = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"];

type NodeProviders = typeof import("@aws-sdk/credential-provider-node");
type SdkProvider = ReturnType<NodeProviders["defaultProvider"]>;
/** What an SDK client passes its credentials provider (its own resolved config, for nested clients). */
export type ChainProps = Parameters<SdkProvider>[0];
let sdk: Promise<NodeProviders> | undefined;

/** `profile`: the profile to sign in with; undefined lets the SDK read AWS_PROFILE or use the environment. */
export function sdkChain(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): SdkChain {
  let chain: Promise<SdkProvider> | undefined;
  let last: ChainUse | undefined;
  const provider = async (props?: ChainProps): Promise<AwsCredentials> => {
    chain ??= (sdk ??= import("@aws-sdk/credential-provider-node")).then(({ defaultProvider }) => defaultProvider(profile !== undefined ? { profile } : {}));
    let credentials;
    try {
      credentials = await (await chain)(props);
    } catch (err) {
      throw chainError(err, profile ?? nonEmpty(env["AWS_PROFILE"]));
    }
    last = { ...sourceOf((credentials as { $source?: Readonly<Record<string, unknown>> }).$source ?? {}, env), expiration: credentials.expiration };
    return credentials;
  };
  return { provider, profile, lastUse: () => last };
}

export function sourceOf(features: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Omit<ChainUse, "expiration"> {
  const hit = FEATURES.find(([feature]) => feature in features);
  if (hit !== undefined) return { source: hit[1], fromProfile: hit[2] };
  // The container and instance metadata providers leave no mark; the chain reaches the container one
  // exactly when one of these variables is set (and then never the instance one).
  return { source: CONTAINER_ENV.some((k) => (env[k] ?? "").trim() !== "") ? "container" : "instance", fromProfile: false };
}

/** An `auth` error (exit 5) that keeps the SDK's reason (it names the file or token) and the sign-in command. */
export function chainError(err: unknown, profile: string | undefined): KmsealError {
  if (err instanceof KmsealError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const reason = redact(message.split("\n")[0]!.trim().slice(0, 400));
  const p = profile !== undefined ? ` --profile ${/^[\w.@+=,-]+$/.test(profile) ? profile : `'${profile}'`}` : "";
  const hint = /\bsso\b|Identity Center/i.test(message)
    ? `sign in again with \`aws sso login${p}\``
    : /login_session|aws login/i.test(message)
      ? `sign in again with \`aws login${p}\``
      : /Could not load credentials/i.test(message)
        ? "set AWS_PROFILE (or --profile) to a profile of ~/.aws/config, or provide AWS credentials in the environment"
        : `check the sign-in settings of ${profile !== undefined ? `[profile ${profile}] in ~/.aws/config` : "the environment"}`;
  return new KmsealError("auth", `cannot get AWS credentials ${profile !== undefined ? `for profile ${profile}` : "from the environment"}: ${reason}`, {
    hint,
    cause: err,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
