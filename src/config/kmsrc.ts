/**
 * `.kmsrc`: found from a file upwards; read → parse (YAML) → normalise → validate, returning every
 * problem at once as changesets does: what was expected, what was found, an example.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isMap as isYamlMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError } from "../core/errors.js";
import { CRYPT_RULE_KINDS, type CryptRule } from "../core/policy.js";
import { compileKeyRegex } from "../core/regex.js";
import { KMSRC_AWS_FIELDS, type KmsrcAwsField } from "../core/aws-fields.js";
import { userOnlyAwsField } from "./repo-trust.js";

export const KMSRC = ".kmsrc";

/** The `aws:` block as read: every field a string (credentials/aws-settings.ts owns the field list). */
export type AwsBlock = { readonly [K in KmsrcAwsField]?: string };

/** One KMS key of a `.sops.yaml` rule, with what sops stores beside its ARN. */
export interface KmsKeySpec {
  readonly arn: string;
  /** An IAM role ARN (`ARN+ROLE` or `role:`), recorded in the key stanza as sops does. */
  readonly role: string | undefined;
  readonly awsProfile: string;
  /**
   * The key's own encryption context (a `key_groups` entry's `context:`). Undefined for the rule's
   * flat `kms:` list, which has none in sops: those keys take the command's `--context` pairs.
   */
  readonly context: Readonly<Record<string, string>> | undefined;
}

export interface Rule {
  /** The glob; for a `path_regex` rule, the regex as written (see `pathRegex`). */
  readonly path: string;
  /** An RE2 regex (sops's `path_regex`) matched instead of the glob; "" matches every path. */
  readonly pathRegex?: string | undefined;
  /** Where the rule is, for messages: `.sops.yaml creation_rules[1]`. Undefined for a `.kmsrc` rule (its glob names it). */
  readonly where?: string | undefined;
  /** `.sops.yaml` only: each KMS key with its role, profile and context (`kms` lists their ARNs). */
  readonly kmsKeys?: readonly KmsKeySpec[] | undefined;
  /** `.sops.yaml` only: why this rule cannot seal with kmseal (PGP keys, several key groups...), said when a file matches it. */
  readonly refusal?: string | undefined;
  /** Globs the rule does not cover even though `path` matches (a glob without `/` matches a name in any folder). */
  readonly exclude: readonly string[];
  readonly kms: readonly string[];
  readonly age: readonly string[];
  readonly context: Readonly<Record<string, string>>;
  readonly crypt: CryptRule | undefined;
  readonly macOnlyEncrypted: boolean;
  readonly encryptComments: boolean;
}

export interface Kmsrc {
  /**
   * `sops`: read from a `.sops.yaml` (config/sops-yaml.ts). Its KMS keys use the rule's own
   * encryption context, as sops does, so they are not bound to the file's path. Undefined: `.kmsrc`.
   */
  readonly format?: "kmsrc" | "sops" | undefined;
  /** The folder holding the file: the project root, and the base of every rule's glob. */
  readonly root: string;
  readonly file: string;
  readonly aws: AwsBlock;
  readonly rules: readonly Rule[];
  /** `require_manifest: true`: `check` fails on a sealed file without a kmseal manifest (written or rewritten by sops). */
  readonly requireManifest: boolean;
}

export interface Loaded {
  readonly config: Kmsrc;
  readonly errors: string[];
  readonly warnings: string[];
  /** The same problems with where each one is in the file (1-based), when that is known. */
  readonly located: readonly Located[];
}

export interface Located {
  readonly severity: "error" | "warning";
  readonly text: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
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
  const shown = shownPath(file);
  const at = (l: Located) => (l.line !== undefined ? `${shown}:${l.line}:${l.column ?? 1}: ` : `${shown}: `);
  const errors = loaded.located.filter((l) => l.severity === "error");
  if (errors.length === 1) {
    const [only] = errors;
    throw new ConfigError(only!.text, { file: shown, line: only!.line, column: only!.column, hint: "see .kmsrc.example for every field" });
  }
  if (errors.length > 1) {
    throw new ConfigError(`not valid (${errors.length} problems):\n  ${errors.map((l) => at(l) + l.text).join("\n  ")}`, {
      file: shown,
      hint: "see .kmsrc.example for every field",
    });
  }
  // Several loads of one file in a process (AWS settings, then rules) warn once.
  const key = resolve(file) + "\u0000" + text;
  if (!warned.has(key)) {
    warned.add(key);
    for (const l of loaded.located) process.stderr.write(`kmseal: ${at(l)}${l.text}\n`);
  }
  return loaded.config;
}

const warned = new Set<string>();

/** The file as people typed it: relative to the working directory when it is below it. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : resolve(file);
}

type At = readonly (string | number)[];

/** Where the key (or list item) at `path` starts, as a 1-based line and column. */
export function locate(doc: Document, counter: LineCounter, path: At): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const [i, seg] of path.entries()) {
    if (isYamlMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      offset = i === path.length - 1 ? (pair.key as { range?: [number] }).range?.[0] : ((pair.value as { range?: [number] } | null)?.range?.[0] ?? offset);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      offset = (node as { range?: [number] } | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return undefined;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

const AWS_FIELDS: readonly string[] = KMSRC_AWS_FIELDS;
const RULE_FIELDS = new Set(["path", "path_regex", "exclude", "kms", "age", "context", "mac_only_encrypted", "encrypt_comments", ...CRYPT_RULE_KINDS]);

export function parseKmsrc(text: string, file: string): Loaded {
  const located: Located[] = [];
  const counter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: counter });
  const problems = (severity: Located["severity"]) => ({
    push(text: string, at: At = []): void {
      const pos = locate(doc, counter, at);
      located.push({ severity, text, line: pos?.line, column: pos?.column });
    },
  });
  const errors = problems("error");
  const warnings = problems("warning");
  let raw: unknown = {};
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    // yaml's message ends with " at line L, column C:" and an excerpt; the position is reported apart.
    const pos = first.linePos?.[0];
    located.push({
      severity: "error",
      text: `not valid YAML: ${first.message
        .split("\n")[0]!
        .replace(/ at line \d+, column \d+:?$/, "")
        .replace(/:$/, "")}`,
      line: pos?.line,
      column: pos?.col,
    });
  } else raw = doc.toJS() ?? {};
  const obj = isMap(raw) ? raw : (errors.push("expected a mapping with `aws:` and `rules:`, found " + kindOf(raw)), {});
  for (const k of Object.keys(obj))
    if (k !== "aws" && k !== "rules" && k !== "require_manifest") warnings.push(`unknown top-level field "${k}" is ignored`, [k]);
  const requireManifest = obj["require_manifest"] === true;
  if (obj["require_manifest"] !== undefined && typeof obj["require_manifest"] !== "boolean")
    errors.push(`require_manifest: expected true or false, found ${kindOf(obj["require_manifest"])}`, ["require_manifest"]);
  const aws: Record<string, string> = {};
  if (obj["aws"] !== undefined) {
    if (!isMap(obj["aws"])) errors.push(`aws: expected a mapping, found ${kindOf(obj["aws"])} (example: aws: { profile: dev, region: eu-west-1 })`, ["aws"]);
    else
      for (const [k, v] of Object.entries(obj["aws"])) {
        const userOnly = userOnlyAwsField(k);
        if (userOnly !== undefined) errors.push(userOnly, ["aws", k]);
        else if (!AWS_FIELDS.includes(k)) warnings.push(`aws.${k} is not a known field (known: ${AWS_FIELDS.join(", ")})`, ["aws", k]);
        else if (typeof v === "string" || typeof v === "number") aws[k] = String(v);
        else errors.push(`aws.${k}: expected a string, found ${kindOf(v)}`, ["aws", k]);
      }
  }
  const rules: Rule[] = [];
  const rawRules = obj["rules"] ?? [];
  if (!Array.isArray(rawRules))
    errors.push(`rules: expected a list, found ${kindOf(rawRules)} (example: rules: [{ path: "config/**", kms: [alias/app] }])`, ["rules"]);
  else
    rawRules.forEach((r, i) => {
      const at = (...rest: (string | number)[]): At => ["rules", i, ...rest];
      const rule = parseRule(
        r,
        `rules[${i}]`,
        {
          push: (t: string, ...rest: (string | number)[]) => {
            errors.push(t, at(...rest));
          },
        },
        {
          push: (t: string, ...rest: (string | number)[]) => {
            warnings.push(t, at(...rest));
          },
        },
      );
      if (rule) rules.push(rule);
    });
  const texts = (severity: Located["severity"]) => located.filter((l) => l.severity === severity).map((l) => l.text);
  return {
    config: { root: dirname(resolve(file)), file: resolve(file), aws, rules, requireManifest },
    errors: texts("error"),
    warnings: texts("warning"),
    located,
  };
}

/** Collects a problem with the key path (below the rule) it is about. */
interface Sink {
  push(text: string, ...at: (string | number)[]): void;
}

function parseRule(raw: unknown, where: string, errors: Sink, warnings: Sink): Rule | null {
  if (!isMap(raw)) {
    errors.push(`${where}: expected a mapping, found ${kindOf(raw)}`);
    return null;
  }
  for (const k of Object.keys(raw)) if (!RULE_FIELDS.has(k)) warnings.push(`${where}.${k} is not a known rule field`, k);
  const path = raw["path"];
  const regex = raw["path_regex"];
  let pathRegex: string | undefined;
  if (regex !== undefined) {
    // sops's form, which `init --from-sops` carries over: an RE2 regex on the project-relative path.
    if (path !== undefined) errors.push(`${where}: set either path (a glob) or path_regex (a regex), not both`, "path_regex");
    else if (typeof regex !== "string") errors.push(`${where}.path_regex: expected a regex string, found ${kindOf(regex)}`, "path_regex");
    else {
      const problem = regexProblem(regex);
      if (problem !== undefined) errors.push(`${where}.path_regex: ${problem}`, "path_regex");
      else pathRegex = regex;
    }
  } else if (typeof path !== "string" || path === "")
    errors.push(`${where}.path: expected a glob string, found ${kindOf(path)} (example: path: "config/prod/**")`, "path");
  const list = (field: "kms" | "age" | "exclude"): string[] => {
    const v = raw[field];
    if (v === undefined || v === null) return [];
    if (typeof v === "string")
      return v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    errors.push(`${where}.${field}: expected a list of strings, found ${kindOf(v)}`, field);
    return [];
  };
  const context: Record<string, string> = {};
  if (raw["context"] !== undefined) {
    if (!isMap(raw["context"])) errors.push(`${where}.context: expected a mapping of strings (example: context: { env: prod })`, "context");
    else
      for (const [k, v] of Object.entries(raw["context"])) {
        if (k === "file") errors.push(`${where}.context.file: "file" is set by kmseal to the file's path and cannot be configured`, "context", "file");
        else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") context[k] = String(v);
        else errors.push(`${where}.context.${k}: expected a string, found ${kindOf(v)}`, "context", k);
      }
  }
  const crypts = CRYPT_RULE_KINDS.filter((k) => raw[k] !== undefined);
  if (crypts.length > 1) errors.push(`${where}: at most one of ${CRYPT_RULE_KINDS.join(", ")} may be set, found ${crypts.join(" and ")}`, crypts[1]!);
  const kind = crypts[0];
  let crypt: CryptRule | undefined;
  if (kind !== undefined) {
    if (typeof raw[kind] !== "string") errors.push(`${where}.${kind}: expected a string`, kind);
    else crypt = { kind, value: raw[kind] };
  }
  const bool = (field: string, dflt: boolean): boolean => {
    const v = raw[field];
    if (v === undefined) return dflt;
    if (typeof v !== "boolean") errors.push(`${where}.${field}: expected true or false, found ${kindOf(v)}`, field);
    return v === true;
  };
  const exclude = list("exclude");
  if (exclude.some((x) => x === "" || x.startsWith("!")))
    errors.push(`${where}.exclude: expected globs of files the rule leaves out (example: exclude: ["*.example"])`, "exclude");
  return {
    path: pathRegex ?? (typeof path === "string" ? path : ""),
    ...(pathRegex !== undefined ? { pathRegex } : {}),
    exclude,
    kms: list("kms"),
    age: list("age"),
    context,
    crypt,
    macOnlyEncrypted: bool("mac_only_encrypted", false),
    encryptComments: bool("encrypt_comments", true),
  };
}

/** Why `source` is not a valid RE2 regex, or undefined. */
export function regexProblem(source: string): string | undefined {
  try {
    compileKeyRegex(source);
    return undefined;
  } catch (err) {
    return `"${source}" is not a valid RE2 regular expression: ${(err as Error).message}`;
  }
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;
}
