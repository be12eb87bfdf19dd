/**
 * The assume-role provider (aws-vault's AssumeRoleProvider). Chained: AssumeRole signed by a cached MFA
 * session (no new code while that session lasts; AWS caps a chained role session at one hour). Direct:
 * AssumeRole with the MFA code itself, signed by the long-term keys, for longer role sessions.
 */
import type { CachedSessionProvider } from "./cached-session.js";
import { withMfaCode } from "./mfa-code.js";
import { credentialsOf, type CachedSession, type SessionKey } from "./session-cache.js";
import type { MfaContext, SessionSource } from "./session-token.js";
import { assumeRole, sessionOf, type StsSession } from "./sts-client.js";

/** Role chaining (AssumeRole with session credentials) is capped at one hour by AWS. */
export const MAX_CHAINED_ROLE_SECONDS = 3600;

/** `via`: the MFA session to chain on; without it the role is assumed with a code directly. */
export function assumeRoleProvider(ctx: MfaContext, roleArn: string, via?: CachedSessionProvider): SessionSource {
  const { settings, fixCommand } = ctx;
  const key: SessionKey = { kind: "role", profile: settings.profile, mfaSerial: settings.mfaSerial, roleArn };
  const error = { profile: settings.profile, roleArn, fixCommand };

  const direct = (input: Parameters<typeof assumeRole>[1]): Promise<StsSession> =>
    withMfaCode(
      ctx.codes,
      settings.mfaSerial,
      fixCommand,
      () => ctx.noCode(key),
      (TokenCode) =>
        assumeRole(
          { sts: ctx.sts, config: { region: settings.region, profile: settings.baseProfile }, error: { ...error, signer: settings.baseProfile } },
          { ...input, SerialNumber: settings.mfaSerial, TokenCode },
        ),
    );

  const chained = async (input: Parameters<typeof assumeRole>[1], session: CachedSessionProvider): Promise<StsSession> => {
    const on = (s: CachedSession) =>
      assumeRole(
        { sts: ctx.sts, config: { region: settings.region, credentials: credentialsOf(s) }, error: { ...error, signer: `${settings.profile} (MFA session)` } },
        input,
      );
    try {
      return await on(await session.get());
    } catch (err) {
      // The cached MFA session was revoked or expired early: start one new session, then give up.
      if (!isExpiredToken(err)) throw err;
      session.invalidate();
      return on(await session.get());
    }
  };

  return {
    key,
    async fetch() {
      const input = {
        RoleArn: roleArn,
        RoleSessionName: settings.roleSessionName ?? `kmseal-${Math.floor(ctx.now() / 1000)}`,
        DurationSeconds: settings.roleDurationSeconds,
      };
      const out = via !== undefined ? await chained(input, via) : await direct(input);
      return sessionOf(key, out, ctx.now(), fixCommand);
    },
  };
}

function isExpiredToken(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause;
  const name = cause instanceof Error ? cause.name : "";
  return /^(ExpiredToken|InvalidClientTokenId)/.test(name);
}
