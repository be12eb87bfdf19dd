/**
 * Which AWS identity kmseal should use: the `.kmsrc` `aws:` block first, then the AWS shared config and
 * credentials files (the ones `aws configure` writes). Pure apart from reading those two files.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError, KmsealError } from "../core/errors.js";
import type { KmsrcAws } from "../core/aws-fields.js";

export interface SettingsInput {
  kmsrc?: KmsrcAws | undefined;
  /** `--profile` / `--region` from the command line: above everything else. */
  profile?: string | undefined;
  region?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface AwsSettings {
  /** Names the cache entry and appears in messages and fix-it commands. */
  readonly profile: string;
  /** The profile to give SDK clients: set only when the files define it, so a profile name that exists
   *  on laptops does not switch off the environment-key credentials of a CI runner. */
  readonly clientProfile: string | undefined;
  /** The profile whose long-term keys sign GetSessionToken (source_profile when a role is assumed). */
  readonly baseProfile: string | undefined;
  readonly region: string;
  readonly mfaSerial: string | undefined;
  readonly mfaProcess: string | undefined;
  readonly roleArn: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly sessionDurationSeconds: number;
  readonly roleDurationSeconds: number;
}

export const SESSION_DURATION = { min: 900, max: 129_600, default: 43_200 } as const;
export const ROLE_DURATION = { min: 900, max: 43_200, default: 3_600 } as const;

type Section = Record<string, string>;
type Ini = Record<string, Section>;

export function resolveAwsSettings(input: SettingsInput = {}): AwsSettings {
  const env = input.env ?? process.env;
  const kmsrc = input.kmsrc ?? {};
  const home = env["HOME"] || homedir();
  const config = readIni(expandHome(env["AWS_CONFIG_FILE"] ?? join(home, ".aws", "config"), home));
  const creds = readIni(expandHome(env["AWS_SHARED_CREDENTIALS_FILE"] ?? join(home, ".aws", "credentials"), home));

  const profile = nonEmpty(input.profile) ?? nonEmpty(kmsrc.profile) ?? nonEmpty(env["AWS_PROFILE"]) ?? nonEmpty(env["AWS_DEFAULT_PROFILE"]) ?? "default";
  const own = profileSection(profile, config, creds);
  // The user named this profile (flag or variable), so a typo must not quietly sign in as someone
  // else. A `.kmsrc` profile may be absent on a CI runner that brings its own identity.
  if (own === undefined && profile !== "default" && nonEmpty(kmsrc.profile) !== profile) throw unknownProfile(profile, config, creds, env, home);
  const roleArn = nonEmpty(kmsrc.role_arn) ?? own?.["role_arn"];
  const sourceProfile = nonEmpty(kmsrc.source_profile) ?? own?.["source_profile"];
  const source = roleArn !== undefined && sourceProfile !== undefined ? profileSection(sourceProfile, config, creds) : undefined;
  const pick = (key: string): string | undefined => nonEmpty(own?.[key]) ?? nonEmpty(source?.[key]);

  const baseName = roleArn !== undefined ? (sourceProfile ?? profile) : profile;
  const baseExists = profileSection(baseName, config, creds) !== undefined;
  const fileDuration = own?.["duration_seconds"];

  return {
    profile,
    clientProfile: own !== undefined ? profile : undefined,
    baseProfile: baseExists ? baseName : undefined,
    region:
      nonEmpty(input.region) ?? nonEmpty(kmsrc.region) ?? nonEmpty(env["AWS_REGION"]) ?? pick("region") ?? nonEmpty(env["AWS_DEFAULT_REGION"]) ?? "us-east-1",
    mfaSerial: nonEmpty(kmsrc.mfa_serial) ?? pick("mfa_serial"),
    // Only the user's own AWS files may name a program to run; a project's .kmsrc comes with the clone.
    mfaProcess: pick("mfa_process"),
    roleArn,
    roleSessionName: nonEmpty(kmsrc.role_session_name) ?? own?.["role_session_name"],
    sessionDurationSeconds: checked("session_duration", kmsrc.session_duration ?? (roleArn === undefined ? fileDuration : undefined), SESSION_DURATION),
    roleDurationSeconds: checked("duration_seconds", kmsrc.duration_seconds ?? (roleArn !== undefined ? fileDuration : undefined), ROLE_DURATION),
  };
}

/** The profile names the AWS files define: `[profile P]` and `[default]` of config, `[P]` of credentials. */
export function profileNames(config: Ini, creds: Ini): string[] {
  const names = new Set<string>();
  for (const section of Object.keys(config)) {
    if (section === "default") names.add(section);
    else if (section.startsWith("profile ")) names.add(section.slice("profile ".length));
  }
  for (const section of Object.keys(creds)) names.add(section);
  return [...names].sort();
}

function unknownProfile(profile: string, config: Ini, creds: Ini, env: NodeJS.ProcessEnv, home: string): KmsealError {
  const names = profileNames(config, creds);
  const files = `${env["AWS_CONFIG_FILE"] ?? join(home, ".aws", "config")} and ${env["AWS_SHARED_CREDENTIALS_FILE"] ?? join(home, ".aws", "credentials")}`;
  return new KmsealError("auth", `AWS profile ${profile} is not defined in ${files}`, {
    hint:
      (names.length > 0 ? `profiles there: ${names.join(", ")}; ` : "those files define no profile; ") +
      `fix --profile / AWS_PROFILE, or create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`)`,
  });
}

/** "12h", "90m", "1h30m", "45s", "3600" or 3600 → seconds; undefined when it is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (m === null || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The AWS ini dialect: `[section]`, `key = value`, whole-line `#`/`;` comments, indented sub-keys skipped. */
export function parseIni(text: string): Ini {
  const out: Ini = {};
  let section: Section | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header !== null) {
      const name = header[1]!.replace(/\s+/g, " ");
      section = out[name] ??= {};
      continue;
    }
    if (section === undefined || /^\s/.test(raw)) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** A profile's settings: the config file's `[profile P]` (or `[default]`) under the credentials file's `[P]`. */
function profileSection(name: string, config: Ini, creds: Ini): Section | undefined {
  const fromConfig = config[`profile ${name}`] ?? (name === "default" ? config["default"] : undefined);
  const fromCreds = creds[name];
  if (fromConfig === undefined && fromCreds === undefined) return undefined;
  return { ...fromConfig, ...fromCreds };
}

function readIni(path: string): Ini {
  try {
    return parseIni(readFileSync(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`cannot read AWS file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function checked(name: string, value: string | number | undefined, range: { min: number; max: number; default: number }): number {
  if (value === undefined || value === "") return range.default;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < range.min || seconds > range.max) {
    throw new ConfigError(`${name} must be a duration from ${range.min / 60} minutes to ${range.max / 3600} hours, got ${JSON.stringify(value)}`, {
      hint: `e.g. ${name}: ${name === "session_duration" ? "12h" : "3600"}`,
    });
  }
  return seconds;
}

function expandHome(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? join(home, path.slice(1)) : path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
