/**
 * The MFA session as an SDK credentials provider (aws-vault's CachedSessionProvider, as a decorator):
 * GetSessionToken with the MFA code, cached on disk; with a role, AssumeRole on top of that session
 * (chaining, at most 1 h) or straight with MFA when a longer role session is configured. Nothing happens
 * until an SDK client asks for credentials, so a command that never calls KMS never asks for a code.
 */
import { KmsealError } from "../core/errors.js";
import type { AwsSettings } from "./aws-settings.js";
import type { CachedSession, SessionCache, SessionKey } from "./session-cache.js";
import { credentialsOf } from "./session-cache.js";
import type { CallerIdentity, CredentialProvider } from "./credential-identity.js";
import { MAX_TERMINAL_ATTEMPTS } from "./mfa-code.js";
import type { MfaCodes } from "./mfa-code.js";
import { createStsClient } from "./sts-client.js";
import type { StsClientConfig, StsFactory } from "./sts-client.js";
import { isRefusedCode, refusedCodeError, stsError } from "./sts-errors.js";
import type { StsErrorContext } from "./sts-errors.js";

export interface MfaSessionOptions {
  settings: AwsSettings & { readonly mfaSerial: string };
  codes: MfaCodes;
  cache: SessionCache;
  sts?: StsFactory | undefined;
  /** `kmseal login`: start a new MFA session even if a cached one is still valid. */
  forceRefresh?: boolean | undefined;
  /** The command that fixes a missing or refused code, for hints. */
  fixCommand: string;
}

/** Role chaining (AssumeRole with session credentials) is capped at one hour by AWS. */
export const MAX_CHAINED_ROLE_SECONDS = 3600;

export function fromMfaSession(opts: MfaSessionOptions): CredentialProvider {
  return new MfaSession(opts).provider;
}

export class MfaSession {
  readonly sessionKey: SessionKey;
  readonly roleKey: SessionKey | undefined;
  readonly #o: MfaSessionOptions;
  readonly #sts: StsFactory;
  #force: boolean;
  #current: CachedSession | undefined;
  #pending: Promise<CachedSession> | undefined;

  constructor(opts: MfaSessionOptions) {
    this.#o = opts;
    this.#sts = opts.sts ?? createStsClient;
    this.#force = opts.forceRefresh === true;
    const { profile, mfaSerial, roleArn } = opts.settings;
    this.sessionKey = { kind: "session", profile, mfaSerial };
    this.roleKey = roleArn !== undefined ? { kind: "role", profile, mfaSerial, roleArn } : undefined;
  }

  /** The SDK-facing provider: memoised in memory, re-read or refreshed when it nears expiry. */
  readonly provider: CredentialProvider = async () => credentialsOf(await this.current());

  /** The cache entry whose credentials clients should use (the role's when a role is configured). */
  async current(): Promise<CachedSession> {
    const c = this.#current;
    if (c !== undefined && !this.#force && this.#o.cache.remainingMs(c) > this.#o.cache.minRemainingMs) return c;
    this.#pending ??= (this.roleKey !== undefined ? this.#role(this.roleKey) : this.#session()).finally(() => (this.#pending = undefined));
    this.#current = await this.#pending;
    this.#force = false;
    return this.#current;
  }

  /** A valid cached entry exists, so credentials can be had without any MFA code. */
  hasFreshCache(): boolean {
    const { cache } = this.#o;
    if (this.roleKey === undefined) return cache.fresh(this.sessionKey) !== undefined;
    return cache.fresh(this.roleKey) !== undefined || (this.#chains() && cache.fresh(this.sessionKey) !== undefined);
  }

  async #session(): Promise<CachedSession> {
    const { cache, settings } = this.#o;
    return this.#cachedOr(this.sessionKey, async () => {
      const out = await this.#withCode(this.sessionKey, (TokenCode) =>
        this.#call("GetSessionToken", { region: settings.region, profile: settings.baseProfile }, async (sts, m) =>
          sts.send(new m.GetSessionTokenCommand({ SerialNumber: settings.mfaSerial, TokenCode, DurationSeconds: settings.sessionDurationSeconds })),
        ),
      );
      return this.#entry(this.sessionKey, out.Credentials, undefined);
    }, cache);
  }

  async #role(key: SessionKey): Promise<CachedSession> {
    const { cache, settings } = this.#o;
    return this.#cachedOr(key, async () => {
      const input = {
        RoleArn: settings.roleArn!,
        RoleSessionName: settings.roleSessionName ?? `kmseal-${Math.floor(cache.now() / 1000)}`,
        DurationSeconds: settings.roleDurationSeconds,
      };
      let out;
      if (!this.#chains()) {
        out = await this.#withCode(key, (TokenCode) =>
          this.#call("AssumeRole", { region: settings.region, profile: settings.baseProfile }, async (sts, m) =>
            sts.send(new m.AssumeRoleCommand({ ...input, SerialNumber: settings.mfaSerial, TokenCode })),
          ),
        );
      } else {
        const chained = async (session: CachedSession) =>
          this.#call("AssumeRole", { region: settings.region, credentials: credentialsOf(session) }, async (sts, m) => sts.send(new m.AssumeRoleCommand(input)));
        const session = await this.#session();
        try {
          out = await chained(session);
        } catch (err) {
          // The cached MFA session was revoked or expired early: start one new session, then give up.
          if (!isExpiredToken(err)) throw err;
          cache.remove(this.sessionKey);
          this.#force = true;
          out = await chained(await this.#session());
        }
      }
      const user = out.AssumedRoleUser;
      const identity = user?.Arn !== undefined ? { arn: user.Arn, account: user.Arn.split(":")[4] ?? "", userId: user.AssumedRoleId ?? "" } : undefined;
      return this.#entry(key, out.Credentials, identity);
    }, cache);
  }

  /** Double-checked: a process that waited for the lock usually finds the entry the other one wrote. */
  async #cachedOr(key: SessionKey, refresh: () => Promise<CachedSession>, cache: SessionCache): Promise<CachedSession> {
    const force = this.#force;
    const hit = force ? undefined : cache.fresh(key);
    if (hit !== undefined) return hit;
    return cache.withLock(key, async () => {
      const again = force ? undefined : cache.fresh(key);
      if (again !== undefined) return again;
      const entry = await refresh();
      cache.write(entry);
      return entry;
    });
  }

  #chains(): boolean {
    return this.roleKey !== undefined && this.#o.settings.roleDurationSeconds <= MAX_CHAINED_ROLE_SECONDS;
  }

  /** Asks for codes until STS accepts one; a refused code is asked again only on a terminal. */
  async #withCode<T>(key: SessionKey, call: (code: string) => Promise<T>): Promise<T> {
    const { codes, settings, fixCommand } = this.#o;
    if (codes.first === "none") throw this.#noCode(key);
    for (let attempt = 1; ; attempt++) {
      const code = await codes.next(settings.mfaSerial, attempt);
      if (code === undefined) break;
      try {
        return await call(code);
      } catch (err) {
        const refused = isRefusedCode((err as { cause?: unknown }).cause);
        if (!refused) throw err;
        if (attempt >= MAX_TERMINAL_ATTEMPTS || !codes.canAskAgain) throw refusedCodeError(settings.mfaSerial, fixCommand, (err as Error).cause);
      }
    }
    throw refusedCodeError(settings.mfaSerial, fixCommand, undefined);
  }

  /** Says whether the session expired or never existed, and the command that starts one. */
  #noCode(key: SessionKey): KmsealError {
    const { cache, settings, fixCommand } = this.#o;
    const old = cache.read(key);
    const ago = old !== undefined ? Math.round((cache.now() - Date.parse(old.expiration)) / 60_000) : undefined;
    const what =
      ago === undefined
        ? `profile ${settings.profile} needs an MFA session (${settings.mfaSerial}), and no code can be asked for here`
        : ago > 0
          ? `the MFA session of profile ${settings.profile} expired ${ago} minute${ago === 1 ? "" : "s"} ago, and no code can be asked for here`
          : `the MFA session of profile ${settings.profile} is about to expire, and no code can be asked for here`;
    return new KmsealError("auth", what, {
      hint: `run \`${fixCommand}\` in a terminal, or pass a code: \`KMSEAL_MFA_CODE=123456 ${fixCommand}\` (no prompt with CI=true, --no-input, or without a terminal)`,
    });
  }

  /** One STS call; failures become `auth` errors with the original kept as `cause`. */
  async #call<T>(operation: StsErrorContext["operation"], config: StsClientConfig, send: (sts: Awaited<ReturnType<StsFactory>>, m: typeof import("@aws-sdk/client-sts")) => Promise<T>): Promise<T> {
    const { settings, fixCommand } = this.#o;
    try {
      const m = await import("@aws-sdk/client-sts");
      return await send(await this.#sts(config), m);
    } catch (err) {
      const signer = config.credentials !== undefined ? `${settings.profile} (MFA session)` : settings.baseProfile;
      throw stsError(err, { operation, profile: settings.profile, signer, roleArn: settings.roleArn, fixCommand });
    }
  }

  #entry(key: SessionKey, c: StsCredentials | undefined, identity: CallerIdentity | undefined): CachedSession {
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) {
      throw stsError(new Error("STS returned no credentials"), { operation: key.kind === "role" ? "AssumeRole" : "GetSessionToken", profile: key.profile, signer: undefined, fixCommand: this.#o.fixCommand });
    }
    return {
      ...key,
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration).toISOString(),
      identity,
      createdAt: new Date(this.#o.cache.now()).toISOString(),
    };
  }
}

interface StsCredentials {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
}

function isExpiredToken(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause;
  const name = cause instanceof Error ? cause.name : "";
  return /^(ExpiredToken|InvalidClientTokenId)/.test(name);
}
