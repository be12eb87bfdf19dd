/**
 * Repository content is data, never code: a `.kmsrc` arrives with `git clone` or `git checkout`, so
 * any setting in it that would run a program (or send credentials somewhere) would let a branch run
 * code on the machine of whoever opens a file. Such settings are read only from the user's own files.
 */

/** `aws:` fields a project's `.kmsrc` may not set, with where the user puts them instead. */
const USER_ONLY_AWS_FIELDS: Readonly<Record<string, string>> = {
  mfa_process: "put `mfa_process = ...` under your profile in ~/.aws/config (or $AWS_CONFIG_FILE) instead",
  credential_process: "put `credential_process = ...` under your profile in ~/.aws/config (or $AWS_CONFIG_FILE), and name that profile with `profile:`",
};

/** The error for a `.kmsrc` `aws.<field>` that only the user's own configuration may set, or undefined. */
export function userOnlyAwsField(field: string): string | undefined {
  const where = USER_ONLY_AWS_FIELDS[field];
  if (where === undefined) return undefined;
  return `aws.${field} cannot be set in a project's .kmsrc: a repository's files must never run commands on the machine that opens them; ${where}`;
}
