/**
 * The session-token provider (aws-vault's SessionTokenProvider): GetSessionToken with a one-time MFA
 * code, signed by the profile's long-term keys. It always asks STS; keeping the answer is the caching
 * decorator's job (cached-session.ts).
 */
import type { AwsSettings } from "./aws-settings.js";
import { withMfaCode, type MfaCodes } from "./mfa-code.js";
import type { CachedSession, SessionKey } from "./session-cache.js";
import { getSessionToken, sessionOf, type StsFactory } from "./sts-client.js";

/** Something that gets a new session from STS each time it is asked. */
export interface SessionSource {
  readonly key: SessionKey;
  fetch(): Promise<CachedSession>;
}

/** What every MFA provider shares: the settings, where codes come from, STS, and how to explain. */
export interface MfaContext {
  readonly settings: AwsSettings & { readonly mfaSerial: string };
  readonly codes: MfaCodes;
  readonly sts: StsFactory;
  /** The command that fixes a missing or refused code, for hints. */
  readonly fixCommand: string;
  readonly now: () => number;
  /** Why no code can be asked for `key` here (it may say when the last session expired). */
  readonly noCode: (key: SessionKey) => Error;
}

export function sessionTokenProvider(ctx: MfaContext): SessionSource {
  const { settings, fixCommand } = ctx;
  const key: SessionKey = { kind: "session", profile: settings.profile, mfaSerial: settings.mfaSerial };
  const call = {
    sts: ctx.sts,
    config: { region: settings.region, profile: settings.baseProfile },
    error: { profile: settings.profile, signer: settings.baseProfile, roleArn: settings.roleArn, fixCommand },
  };
  return {
    key,
    async fetch() {
      const out = await withMfaCode(
        ctx.codes,
        settings.mfaSerial,
        fixCommand,
        () => ctx.noCode(key),
        (TokenCode) => getSessionToken(call, { SerialNumber: settings.mfaSerial, TokenCode, DurationSeconds: settings.sessionDurationSeconds }),
      );
      return sessionOf(key, out, ctx.now(), fixCommand);
    },
  };
}
