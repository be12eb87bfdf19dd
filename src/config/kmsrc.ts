/**
 * `.kmsrc`: found from a file upwards; read → parse (YAML) → normalise → validate, returning every
 * problem at once as changesets does: what was expected, what was found, an example.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../core/errors.js";
import { CRYPT_RULE_KINDS, type CryptRule } from "../core/policy.js";

export const KMSRC = ".kmsrc";

export interface AwsBlock {
  readonly profile?: string;
  readonly region?: string;
  readonly mfa_serial?: string;
  readonly role_arn?: string;
  readonly session_duration?: string;
  readonly role_session_name?: string;
  readonly source_profile?: string;
  readonly mfa_process?: string;
  readonly duration_seconds?: string;
}

export interface Rule {
  readonly path: string;
  readonly kms: readonly string[];
  readonly age: readonly string[];
  readonly context: Readonly<Record<string, string>>;
  readonly crypt: CryptRule | undefined;
  readonly macOnlyEncrypted: boolean;
  readonly encryptComments: boolean;
}

export interface Kmsrc {
  /** The folder holding the file: the project root, and the base of every rule's glob. */
  readonly root: string;
  readonly file: string;
  readonly aws: AwsBlock;
  readonly rules: readonly Rule[];
}

export interface Loaded {
  readonly config: Kmsrc;
  readonly errors: string[];
  readonly warnings: string[];
}

/** The nearest `.kmsrc` at or above `dir`, or null. */
export function findKmsrc(dir: string): string | null {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, KMSRC);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

export function loadKmsrc(file: string): Kmsrc {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  const loaded = parseKmsrc(text, file);
  if (loaded.errors.length > 0) {
    throw new ConfigError(`${file} is not valid:\n  ${loaded.errors.join("\n  ")}`, { file, hint: "see .kmsrc.example for every field" });
  }
  for (const w of loaded.warnings) process.emitWarning(`${file}: ${w}`, { code: "KMSEAL_CONFIG" });
  return loaded.config;
}

const AWS_FIELDS = [
  "profile",
  "region",
  "mfa_serial",
  "mfa_process",
  "role_arn",
  "session_duration",
  "duration_seconds",
  "role_session_name",
  "source_profile",
];
const RULE_FIELDS = new Set(["path", "kms", "age", "context", "mac_only_encrypted", "encrypt_comments", ...CRYPT_RULE_KINDS]);

export function parseKmsrc(text: string, file: string): Loaded {
  const errors: string[] = [];
  const warnings: string[] = [];
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (err) {
    errors.push(`not valid YAML: ${(err as Error).message.split("\n")[0] ?? ""}`);
    raw = {};
  }
  const obj = isMap(raw) ? raw : (errors.push("expected a mapping with `aws:` and `rules:`, found " + kindOf(raw)), {});
  for (const k of Object.keys(obj)) if (k !== "aws" && k !== "rules") warnings.push(`unknown top-level field "${k}" is ignored`);
  const aws: Record<string, string> = {};
  if (obj["aws"] !== undefined) {
    if (!isMap(obj["aws"])) errors.push(`aws: expected a mapping, found ${kindOf(obj["aws"])} (example: aws: { profile: dev, region: eu-west-1 })`);
    else
      for (const [k, v] of Object.entries(obj["aws"])) {
        if (!AWS_FIELDS.includes(k)) warnings.push(`aws.${k} is not a known field (known: ${AWS_FIELDS.join(", ")})`);
        else if (typeof v === "string" || typeof v === "number") aws[k] = String(v);
        else errors.push(`aws.${k}: expected a string, found ${kindOf(v)}`);
      }
  }
  const rules: Rule[] = [];
  const rawRules = obj["rules"] ?? [];
  if (!Array.isArray(rawRules)) errors.push(`rules: expected a list, found ${kindOf(rawRules)} (example: rules: [{ path: "config/**", kms: [alias/app] }])`);
  else
    rawRules.forEach((r, i) => {
      const rule = parseRule(r, `rules[${i}]`, errors, warnings);
      if (rule) rules.push(rule);
    });
  return { config: { root: dirname(resolve(file)), file: resolve(file), aws, rules }, errors, warnings };
}

function parseRule(raw: unknown, where: string, errors: string[], warnings: string[]): Rule | null {
  if (!isMap(raw)) {
    errors.push(`${where}: expected a mapping, found ${kindOf(raw)}`);
    return null;
  }
  for (const k of Object.keys(raw)) if (!RULE_FIELDS.has(k)) warnings.push(`${where}.${k} is not a known rule field`);
  const path = raw["path"];
  if (typeof path !== "string" || path === "") errors.push(`${where}.path: expected a glob string, found ${kindOf(path)} (example: path: "config/prod/**")`);
  const list = (field: "kms" | "age"): string[] => {
    const v = raw[field];
    if (v === undefined || v === null) return [];
    if (typeof v === "string")
      return v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    errors.push(`${where}.${field}: expected a list of strings, found ${kindOf(v)}`);
    return [];
  };
  const context: Record<string, string> = {};
  if (raw["context"] !== undefined) {
    if (!isMap(raw["context"])) errors.push(`${where}.context: expected a mapping of strings (example: context: { env: prod })`);
    else
      for (const [k, v] of Object.entries(raw["context"])) {
        if (k === "file") errors.push(`${where}.context.file: "file" is set by kmseal to the file's path and cannot be configured`);
        else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") context[k] = String(v);
        else errors.push(`${where}.context.${k}: expected a string, found ${kindOf(v)}`);
      }
  }
  const crypts = CRYPT_RULE_KINDS.filter((k) => raw[k] !== undefined);
  if (crypts.length > 1) errors.push(`${where}: at most one of ${CRYPT_RULE_KINDS.join(", ")} may be set, found ${crypts.join(" and ")}`);
  const kind = crypts[0];
  let crypt: CryptRule | undefined;
  if (kind !== undefined) {
    if (typeof raw[kind] !== "string") errors.push(`${where}.${kind}: expected a string`);
    else crypt = { kind, value: raw[kind] };
  }
  const bool = (field: string, dflt: boolean): boolean => {
    const v = raw[field];
    if (v === undefined) return dflt;
    if (typeof v !== "boolean") errors.push(`${where}.${field}: expected true or false, found ${kindOf(v)}`);
    return v === true;
  };
  return {
    path: typeof path === "string" ? path : "",
    kms: list("kms"),
    age: list("age"),
    context,
    crypt,
    macOnlyEncrypted: bool("mac_only_encrypted", false),
    encryptComments: bool("encrypt_comments", true),
  };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;
}
