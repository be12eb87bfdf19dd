/**
 * Turns STS and SDK failures into `auth` errors that say what happened and which command fixes it.
 * Messages are built from the error's name and a redacted message: access key ids, secrets and session
 * tokens never reach them.
 */
import { KmsealError } from "../core/errors.js";

export interface StsErrorContext {
  operation: "GetSessionToken" | "AssumeRole" | "GetCallerIdentity";
  profile: string;
  /** The profile whose keys signed the call (undefined: environment or default chain). */
  signer: string | undefined;
  roleArn?: string | undefined;
  fixCommand: string;
}

/** True when STS rejected the one-time code itself (wrong, expired or reused), so a new code may work. */
export function isRefusedCode(err: unknown): boolean {
  const { name, message } = describe(err);
  return name === "AccessDenied" && /MultiFactorAuthentication|MFA|one.?time pass/i.test(message);
}

export function refusedCodeError(serial: string, fix: string, cause: unknown): KmsealError {
  return new KmsealError("auth", `STS refused the MFA code for ${serial}: it is wrong, expired, or was already used (each code works once)`, {
    hint: `wait for the next code, then run \`${fix}\` (or \`KMSEAL_MFA_CODE=<code> ${fix}\` without a terminal)`,
    cause,
  });
}

export function stsError(err: unknown, ctx: StsErrorContext): KmsealError {
  if (err instanceof KmsealError) return err;
  const { name, message } = describe(err);
  const who = ctx.signer !== undefined ? `profile ${ctx.signer}` : "the environment";
  const target = ctx.signer ?? ctx.profile;
  const configure = target === "default" || target.includes(" ") ? "aws configure" : `aws configure --profile ${target}`;
  const make = (text: string, hint: string): KmsealError => new KmsealError("auth", text, { hint, cause: err });

  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    const where = ctx.signer !== undefined ? `for profile ${ctx.signer}` : "in the environment or the AWS files";
    return make(
      `no AWS credentials found ${where} to sign ${ctx.operation}`,
      `add access keys with \`${configure}\`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
  if (/^(InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient)/.test(name)) {
    return make(`STS rejected the access key of ${who}`, `check or replace the keys with \`${configure}\``);
  }
  if (/^ExpiredToken/.test(name)) {
    return make(`the AWS session used for ${ctx.operation} has expired`, `run \`${ctx.fixCommand}\``);
  }
  if (name === "AccessDenied" && /session credentials/i.test(message)) {
    return make(
      `${ctx.operation} needs long-term access keys, but ${who} has temporary (session) credentials`,
      "unset AWS_SESSION_TOKEN, or point source_profile at a profile with access keys",
    );
  }
  if (name === "AccessDenied" && ctx.operation === "AssumeRole") {
    return make(
      `not allowed to assume ${ctx.roleArn ?? "the role"}: ${redact(message)}`,
      "check the role's trust policy (it may require aws:MultiFactorAuthPresent) and the caller's sts:AssumeRole permission",
    );
  }
  return make(
    `${ctx.operation} failed for profile ${ctx.profile}: ${name}${message !== "" ? `: ${redact(message)}` : ""}`,
    `check the network and the AWS settings of profile ${ctx.profile}`,
  );
}

/** Removes anything shaped like an access key id, and long base64 runs (tokens, secrets). */
export function redact(text: string): string {
  return text.replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, "<access key id>").replace(/[A-Za-z0-9+/=]{40,}/g, "<redacted>");
}

function describe(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: (err as { Code?: string }).Code ?? err.name, message: err.message };
  return { name: "Error", message: String(err) };
}
