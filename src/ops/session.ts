/**
 * `kmseal login / logout / whoami / credential-process` as functions that return data; the CLI prints.
 * None of the results carries a secret except `credentialProcess`, whose whole point is to hand the
 * cached session to another AWS tool on stdout.
 */
import { KmsealError } from "../core/errors.js";
import type { AwsSettings } from "../credentials/aws-settings.js";
import type { CallerIdentity } from "../credentials/credential-identity.js";
import { loginCommand, mfaSessionFor, sessionCacheFor, signInFor } from "../credentials/credentials.js";
import type { ChainSource, SdkChain } from "../credentials/sdk-chain.js";
import type { CredentialDeps } from "../credentials/credentials.js";
import type { CachedSession } from "../credentials/session-cache.js";
import { credentialsOf } from "../credentials/session-cache.js";
import { createStsClient, getCallerIdentity, type StsClientConfig } from "../credentials/sts-client.js";

export interface SessionOptions {
  settings: AwsSettings;
  deps?: CredentialDeps;
}

/**
 * Where the credentials come from: `mfa-session` is kmseal's cached GetSessionToken session; with a
 * role (and `mfaSerial` set) `assume-role` is kmseal's cached role session; every other value (and
 * `assume-role` without `mfaSerial`) is the AWS SDK's chain.
 */
export type CredentialSource = "mfa-session" | ChainSource;

export interface SessionInfo {
  /** The AWS profile in use; null when the credentials come from the environment or the machine. */
  profile: string | null;
  source: CredentialSource;
  identity: CallerIdentity | undefined;
  mfaSerial: string | undefined;
  roleArn: string | undefined;
  /** ISO 8601; undefined for credentials that do not expire (long-term keys). */
  expiration: string | undefined;
  secondsLeft: number | undefined;
}

export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/** Starts a new MFA session (a new code, even if a cached session is valid) and caches it. */
export async function login(opts: SessionOptions): Promise<SessionInfo> {
  const deps = opts.deps ?? {};
  const built = mfaSessionFor(opts.settings, deps, { forceRefresh: true }) ?? missingMfaSerial(opts.settings, "login");
  let entry = await built.mfa.current();
  if (entry.identity === undefined) {
    entry = { ...entry, identity: await callerIdentity(opts.settings, deps, { region: opts.settings.region, credentials: credentialsOf(entry) }) };
    await built.cache.write(entry);
  }
  return infoOf(entry, opts.settings, built.cache.remainingMs(entry));
}

/** Deletes the cached sessions of the profile (or of every profile). */
export function logout(opts: { settings?: AwsSettings; all?: boolean; deps?: CredentialDeps }): {
  removed: Array<Pick<CachedSession, "profile" | "kind" | "roleArn">>;
} {
  if (opts.all !== true && opts.settings === undefined) throw new KmsealError("usage", "logout needs a profile or --all");
  const cache = sessionCacheFor(opts.deps);
  const removed = cache.clear(opts.all === true ? undefined : opts.settings!.profile);
  return { removed: removed.map((s) => ({ profile: s.profile, kind: s.kind, roleArn: s.roleArn })) };
}

/**
 * Who kmseal would act as, and for how long. Reads the cache (one GetCallerIdentity when the entry has
 * no identity yet); otherwise signs in through the SDK's default chain, says which source answered, and
 * asks STS who that is.
 */
export async function whoami(opts: SessionOptions): Promise<SessionInfo | { profile: string; source: "none"; mfaSerial: string; hint: string }> {
  const { settings } = opts;
  const deps = opts.deps ?? {};
  const signIn = signInFor(settings, deps);
  // The same choice a KMS call makes: the MFA session only where mfa_serial asks for it.
  if (signIn.kind === "chain") return whoamiChain(settings, deps, signIn.chain);
  const mfaSerial = settings.mfaSerial!;
  const cache = sessionCacheFor(deps);
  const key = { profile: settings.profile, mfaSerial };
  const entry =
    (settings.roleArn !== undefined ? cache.read({ ...key, kind: "role", roleArn: settings.roleArn }) : undefined) ?? cache.read({ ...key, kind: "session" });
  if (entry === undefined) {
    return { profile: settings.profile, source: "none", mfaSerial, hint: `no cached session: run \`${loginCommand(settings.profile)}\`` };
  }
  const remaining = cache.remainingMs(entry);
  let identity = entry.identity;
  if (identity === undefined && remaining > 0) {
    identity = await callerIdentity(settings, deps, { region: settings.region, credentials: credentialsOf(entry) });
    await cache.write({ ...entry, identity });
  }
  return infoOf({ ...entry, identity }, settings, remaining);
}

/** Signs in through the SDK chain as a KMS call would, then asks STS who that is. */
async function whoamiChain(settings: AwsSettings, deps: CredentialDeps, chain: SdkChain): Promise<SessionInfo> {
  const now = deps.now ?? Date.now;
  // The chain is called as an SDK client would call it; it fails with exit 5 and the sign-in command.
  const credentials = await chain.provider({ callerClientConfig: { region: () => Promise.resolve(settings.region), profile: chain.profile } });
  const use = chain.lastUse();
  const identity = await callerIdentity(settings, deps, { region: settings.region, credentials }, `${settings.profile} (${use?.source ?? "AWS SDK chain"})`);
  const expiration = credentials.expiration;
  return {
    profile: use?.fromProfile === true ? settings.profile : null,
    source: use?.source ?? "env",
    identity,
    mfaSerial: undefined,
    roleArn: use?.source === "assume-role" ? settings.roleArn : undefined,
    expiration: expiration?.toISOString(),
    secondsLeft: expiration !== undefined ? Math.max(0, Math.floor((expiration.getTime() - now()) / 1000)) : undefined,
  };
}

/**
 * The session in the AWS `credential_process` shape, so `credential_process = kmseal credential-process
 * --profile dev` lets the AWS CLI and other SDKs share kmseal's cached MFA session.
 */
export async function credentialProcess(opts: SessionOptions): Promise<CredentialProcessOutput> {
  const env = opts.deps?.env ?? process.env;
  // A profile whose own keys come from `kmseal credential-process` would call itself forever.
  if (env["KMSEAL_IN_CREDENTIAL_PROCESS"] === "1") {
    throw new KmsealError("auth", `profile ${opts.settings.profile} gets its long-term keys from kmseal credential-process itself`, {
      hint: "give credential_process its own profile, and keep the access keys and mfa_serial in the source profile",
    });
  }
  env["KMSEAL_IN_CREDENTIAL_PROCESS"] = "1";
  const built = mfaSessionFor(opts.settings, opts.deps) ?? missingMfaSerial(opts.settings, "credential-process");
  const entry = await built.mfa.current();
  return { Version: 1, AccessKeyId: entry.accessKeyId, SecretAccessKey: entry.secretAccessKey, SessionToken: entry.sessionToken, Expiration: entry.expiration };
}

function infoOf(entry: CachedSession, settings: AwsSettings, remainingMs: number): SessionInfo {
  return {
    profile: entry.profile,
    source: entry.kind === "role" ? "assume-role" : "mfa-session",
    identity: entry.identity,
    mfaSerial: entry.mfaSerial,
    roleArn: entry.roleArn ?? settings.roleArn,
    expiration: entry.expiration,
    secondsLeft: Math.max(0, Math.floor(remainingMs / 1000)),
  };
}

function callerIdentity(settings: AwsSettings, deps: CredentialDeps, config: StsClientConfig, signer?: string): Promise<CallerIdentity> {
  return getCallerIdentity({
    sts: deps.sts ?? createStsClient,
    config,
    error: {
      profile: settings.profile,
      signer: signer ?? (config.credentials !== undefined ? `${settings.profile} (MFA session)` : config.profile),
      fixCommand: loginCommand(settings.profile),
    },
  });
}

function missingMfaSerial(settings: AwsSettings, command: string): never {
  throw new KmsealError("auth", `kmseal ${command} needs an MFA device, but profile ${settings.profile} has no mfa_serial`, {
    hint: `add \`mfa_serial = arn:aws:iam::<account>:mfa/<device>\` to [profile ${settings.profile}] in ~/.aws/config, or \`mfa_serial:\` under \`aws:\` in .kmsrc`,
  });
}
