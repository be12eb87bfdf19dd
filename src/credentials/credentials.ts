/**
 * The one entry ops use to build SDK clients: which credentials provider a KMS (or STS) client gets.
 * `credentialsFor` answers `undefined` for "the SDK's default chain" (environment keys, static keys,
 * SSO, `aws login`, credential_process, web identity, container and instance roles): for profiles
 * without MFA, and for CI runners with no cached session; `signInFor` then gives that chain as a
 * provider that says which source answered.
 */
import type { AwsSettings } from "./aws-settings.js";
import type { CredentialLog, CredentialProvider } from "./credential-identity.js";
import { MfaCodes } from "./mfa-code.js";
import type { ProcessRunner } from "./mfa-code.js";
import { MfaSession } from "./mfa-session.js";
import { SessionCache, defaultCacheDir, type SessionCacheOptions } from "./session-cache.js";
import { sdkChain, type SdkChain } from "./sdk-chain.js";
import type { StsFactory } from "./sts-client.js";
import { isCi, openTty } from "../platform/terminal.js";
import type { TerminalOpener } from "../platform/terminal.js";

/** Everything the credentials layer reads from the outside world, injectable for tests. */
export interface CredentialDeps {
  env?: NodeJS.ProcessEnv;
  /** `--mfa-code`. */
  mfaCode?: string | undefined;
  /** `--no-input`: never prompt. */
  noInput?: boolean | undefined;
  now?: () => number;
  cacheDir?: string;
  /** Reuse a cached session while more than this remains (default 5 minutes). */
  minRemainingMs?: number;
  sts?: StsFactory;
  terminal?: TerminalOpener;
  runProcess?: ProcessRunner;
  log?: CredentialLog;
  lock?: SessionCacheOptions["lock"];
}

/** The provider to hand to `new KMSClient({ credentials })`, or undefined for the SDK default chain. */
export function credentialsFor(settings: AwsSettings, deps: CredentialDeps = {}): CredentialProvider | undefined {
  const env = deps.env ?? process.env;
  if (settings.mfaSerial === undefined) return undefined;
  // Already inside a temporary session (aws-vault exec, a CI role): GetSessionToken would be refused.
  if (insideSession(env)) return undefined;
  const session = mfaSessionFor(settings, deps);
  if (session === undefined) return undefined;
  if (session.codesAvailable || session.mfa.hasFreshCache()) return session.mfa.provider;
  // Nothing can be prompted and nothing is cached: CI=true, --no-input and no terminal alike. An
  // environment with its own identity (OIDC web identity, a container role) uses it; otherwise the
  // provider fails (only if KMS is actually called) with exit 5 and the fix, rather than quietly
  // falling back to the profile's long-term keys that the MFA requirement guards.
  if (environmentHasIdentity(env)) return undefined;
  return session.mfa.provider;
}

/** How kmseal signs in for `settings`: the cached MFA session where `mfa_serial` asks for it, else the SDK chain. */
export type SignIn = { readonly kind: "mfa"; readonly provider: CredentialProvider } | { readonly kind: "chain"; readonly chain: SdkChain };

export function signInFor(settings: AwsSettings, deps: CredentialDeps = {}): SignIn {
  const env = deps.env ?? process.env;
  const provider = credentialsFor(settings, deps);
  if (provider !== undefined) return { kind: "mfa", provider };
  // Inside a temporary session (aws-vault exec, a CI role) or with a web identity or container role,
  // the MFA profile is passed over for the environment's identity: naming the profile would make the
  // SDK sign with the profile's long-term keys, which the MFA requirement guards.
  if (settings.mfaSerial !== undefined && (insideSession(env) || environmentHasIdentity(env))) return { kind: "chain", chain: sdkChain(undefined, env) };
  // Without clientProfile (a `.kmsrc` profile these files lack) the SDK picks AWS_PROFILE or the environment.
  return { kind: "chain", chain: sdkChain(settings.clientProfile, env) };
}

/** The MFA session behind `credentialsFor`, for `login` (forced refresh) and `credential-process`. */
export function mfaSessionFor(
  settings: AwsSettings,
  deps: CredentialDeps = {},
  opts: { forceRefresh?: boolean } = {},
): { mfa: MfaSession; cache: SessionCache; codesAvailable: boolean } | undefined {
  const mfaSerial = settings.mfaSerial;
  if (mfaSerial === undefined) return undefined;
  const env = deps.env ?? process.env;
  const fixCommand = loginCommand(settings.profile);
  const codes = new MfaCodes({
    flagCode: deps.mfaCode,
    env,
    mfaProcess: settings.mfaProcess,
    interactive: !isCi(env) && deps.noInput !== true,
    terminal: deps.terminal ?? openTty,
    fixCommand,
    ...(deps.runProcess !== undefined ? { runProcess: deps.runProcess } : {}),
  });
  const cache = sessionCacheFor(deps);
  const mfa = new MfaSession({ settings: { ...settings, mfaSerial }, codes, cache, sts: deps.sts, forceRefresh: opts.forceRefresh, fixCommand });
  return { mfa, cache, codesAvailable: codes.first !== "none" };
}

export function sessionCacheFor(deps: CredentialDeps = {}): SessionCache {
  return new SessionCache({
    dir: deps.cacheDir ?? defaultCacheDir(deps.env ?? process.env),
    ...(deps.now !== undefined ? { now: deps.now } : {}),
    ...(deps.minRemainingMs !== undefined ? { minRemainingMs: deps.minRemainingMs } : {}),
    ...(deps.log !== undefined ? { log: deps.log } : {}),
    ...(deps.lock !== undefined ? { lock: deps.lock } : {}),
  });
}

/** The command that starts a session for `profile`, as hints print it. */
export function loginCommand(profile: string): string {
  return profile === "default" ? "kmseal login" : `kmseal login --profile ${/^[\w.@+=,-]+$/.test(profile) ? profile : `'${profile}'`}`;
}

function insideSession(env: NodeJS.ProcessEnv): boolean {
  return nonEmpty(env["AWS_SESSION_TOKEN"]) && nonEmpty(env["AWS_ACCESS_KEY_ID"]);
}

/** Web identity (GitHub OIDC, EKS) or container credentials: the environment brings its own identity. */
function environmentHasIdentity(env: NodeJS.ProcessEnv): boolean {
  return ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].some((k) => nonEmpty(env[k]));
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
