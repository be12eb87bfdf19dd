/**
 * The MFA session as an SDK credentials provider, composed from the providers: a cached session-token
 * provider, and with a role a cached assume-role provider on top (chained on that session, or direct
 * with MFA when a role session longer than one hour is configured). Nothing happens until an SDK client
 * asks for credentials, so a command that never calls KMS never asks for a code.
 */
import { KmsealError } from "../core/errors.js";
import type { AwsSettings } from "./aws-settings.js";
import { MAX_CHAINED_ROLE_SECONDS, assumeRoleProvider } from "./assume-role.js";
import { cachedSession, type CachedSessionProvider } from "./cached-session.js";
import type { CredentialProvider } from "./credential-identity.js";
import type { MfaCodes } from "./mfa-code.js";
import { credentialsOf, type CachedSession, type SessionCache, type SessionKey } from "./session-cache.js";
import { sessionTokenProvider } from "./session-token.js";
import { createStsClient, type StsFactory } from "./sts-client.js";

export { MAX_CHAINED_ROLE_SECONDS };

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

export function fromMfaSession(opts: MfaSessionOptions): CredentialProvider {
  return new MfaSession(opts).provider;
}

export class MfaSession {
  readonly sessionKey: SessionKey;
  readonly roleKey: SessionKey | undefined;
  readonly #session: CachedSessionProvider;
  readonly #role: CachedSessionProvider | undefined;
  readonly #chains: boolean;

  constructor(opts: MfaSessionOptions) {
    const { settings, cache, fixCommand } = opts;
    const ctx = {
      settings,
      codes: opts.codes,
      sts: opts.sts ?? createStsClient,
      fixCommand,
      now: cache.now,
      noCode: (key: SessionKey) => noCodeError(opts, key),
    };
    const force = { force: opts.forceRefresh === true };
    this.#chains = settings.roleArn !== undefined && settings.roleDurationSeconds <= MAX_CHAINED_ROLE_SECONDS;
    this.#session = cachedSession(sessionTokenProvider(ctx), cache, force);
    this.#role =
      settings.roleArn !== undefined
        ? cachedSession(assumeRoleProvider(ctx, settings.roleArn, this.#chains ? this.#session : undefined), cache, force)
        : undefined;
    this.sessionKey = this.#session.key;
    this.roleKey = this.#role?.key;
  }

  /** The SDK-facing provider: memoised in memory, re-read or refreshed when it nears expiry. */
  readonly provider: CredentialProvider = async () => credentialsOf(await this.current());

  /** The cache entry whose credentials clients should use (the role's when a role is configured). */
  current(): Promise<CachedSession> {
    return (this.#role ?? this.#session).get();
  }

  /** A valid cached entry exists, so credentials can be had without any MFA code. */
  hasFreshCache(): boolean {
    if (this.#role === undefined) return this.#session.fresh() !== undefined;
    return this.#role.fresh() !== undefined || (this.#chains && this.#session.fresh() !== undefined);
  }
}

/** Says whether the session expired or never existed, and the command that starts one. */
function noCodeError({ cache, settings, fixCommand }: MfaSessionOptions, key: SessionKey): KmsealError {
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
