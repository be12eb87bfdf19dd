/**
 * Loading encrypted env files into a Node program, dotenv-style:
 *
 *   import { config, loadEnv } from "kmseal";
 *   await config();                                   // .env.enc → process.env (existing values win)
 *   const env = await loadEnv("config/app.enc.yaml"); // the values, process.env untouched
 *
 * Values come exactly as `kmseal exec` would pass them (top-level names; nested YAML/JSON keys as
 * A_B_C). Keys are found as the CLI finds them: age identities from KMSEAL_AGE_KEY(_FILE) and the
 * local keyring, KMS with the `.kmsrc` `aws:` settings and the cached MFA session of `kmseal login`.
 */
import { loadEnvFiles } from "../ops/env/values.js";
import { keyServices, type KeyServices } from "../ops/keys/services.js";
import type { Format } from "../stores/store.js";

export interface LoadEnvOptions {
  /** Format when the file name does not tell it. */
  readonly format?: Format;
  /** Refuse nested values instead of flattening them as A_B_C. */
  readonly strict?: boolean;
  /** Decrypt as if the file were at this project-relative path (a deliberate copy, e.g. in an image). */
  readonly as?: string;
  /** The `.kmsrc` to use instead of searching upwards. */
  readonly configPath?: string;
  /** Never prompt for an MFA code (a cached session or the SDK's default chain must do). */
  readonly noInput?: boolean;
  /** Key sources to use instead of the CLI's (tests, custom wiring). */
  readonly keys?: KeyServices;
}

export interface ConfigOptions extends LoadEnvOptions {
  /** One file or several (later files win); default `.env.enc`. */
  readonly path?: string | readonly string[];
  /** Whether the files' values replace variables that are already set (default false). */
  readonly override?: boolean;
}

/** The decrypted variables of one or more encrypted files; process.env is not touched. */
export async function loadEnv(path: string | readonly string[] = ".env.enc", opts: LoadEnvOptions = {}): Promise<Record<string, string>> {
  const files = typeof path === "string" ? [path] : [...path];
  const values = await loadEnvFiles(
    files,
    { format: opts.format, strict: opts.strict, as: opts.as, configPath: opts.configPath },
    opts.keys ?? defaultKeys(opts),
  );
  return Object.fromEntries(values);
}

/** Loads the files into process.env and returns what they held. */
export async function config(opts: ConfigOptions = {}): Promise<Record<string, string>> {
  const values = await loadEnv(opts.path ?? ".env.enc", opts);
  for (const [k, v] of Object.entries(values)) if (opts.override === true || process.env[k] === undefined) process.env[k] = v;
  return values;
}

let shared: KeyServices | undefined;

/** The CLI's key sources: `.kmsrc` aws settings (found from the cwd) and the cached MFA session. */
function defaultKeys(opts: LoadEnvOptions): KeyServices {
  if (opts.configPath === undefined && opts.noInput !== true && shared !== undefined) return shared;
  const keys = keyServices({ env: process.env, aws: { env: process.env, configPath: opts.configPath, noInput: opts.noInput === true } });
  if (opts.configPath === undefined && opts.noInput !== true) shared = keys;
  return keys;
}
