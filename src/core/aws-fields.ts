/**
 * The fields of the `.kmsrc` `aws:` block, kept in core because config/kmsrc.ts validates against it and credentials/aws-settings.ts applies it, and neither of those folders may import the other.
 * Every field overrides the AWS files. `session_duration` is the cached MFA session (GetSessionToken):
 * "12h", "90m", "1h30m" or seconds; `duration_seconds` the role session (AssumeRole), as in the AWS config.
 */
export const KMSRC_AWS_FIELDS = [
  "profile",
  "region",
  "mfa_serial",
  "mfa_process",
  "role_arn",
  "session_duration",
  "duration_seconds",
  "role_session_name",
  "source_profile",
] as const;
export type KmsrcAwsField = (typeof KMSRC_AWS_FIELDS)[number];

/** The `aws:` block of `.kmsrc`; durations may be YAML numbers. */
export type KmsrcAws = { readonly [K in KmsrcAwsField]?: K extends "session_duration" | "duration_seconds" ? string | number : string };
