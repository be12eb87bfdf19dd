/**
 * `.sops.yaml` as a project's configuration when it has no `.kmsrc`: its `creation_rules` become
 * rules in the `.kmsrc` shape (config/kmsrc.ts), read the way sops reads them (getsops/sops
 * config/config.go): the first rule whose `path_regex` matches (no `path_regex`: every file), `kms`
 * and `age` as comma lists or YAML lists, `ARN+ROLE_ARN`, `aws_profile`, one crypt rule,
 * `mac_only_encrypted`, and `key_groups` when there is one group (kmseal has no Shamir sharing).
 *
 * Repository content is data, never code: a `.sops.yaml` names keys and rules only. `aws_profile`
 * names a profile of the user's own ~/.aws files, as `.kmsrc`'s `aws.profile` may; nothing here can
 * name a program to run or a place to send credentials.
 *
 * A rule kmseal cannot honour (PGP, GCP, Azure, Vault keys; several key groups; comment regexes) is
 * kept with a `refusal`, said when a file matches it: like sops, a rule that no file uses is not an error.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../core/errors.js";
import { CRYPT_RULE_KINDS, type CryptRule } from "../core/policy.js";
import { isMap, kindOf, locate, regexProblem, type Kmsrc, type KmsKeySpec, type Rule } from "./kmsrc.js";

export const SOPS_YAML = ".sops.yaml";

/** The nearest `.sops.yaml` at or above `dir`, or null. (sops ignores `.sops.yml`, and so does kmseal.) */
export function findSopsYaml(dir: string): string | null {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, SOPS_YAML);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

export function isSopsYamlPath(file: string): boolean {
  return /(^|[\\/])\.sops\.ya?ml$/.test(file);
}

/** The keys sops could use but kmseal cannot, by field. */
const FOREIGN_KEYS: Readonly<Record<string, string>> = {
  pgp: "PGP",
  gcp_kms: "GCP KMS",
  azure_keyvault: "Azure Key Vault",
  hc_vault_transit_uri: "HashiCorp Vault",
  hckms: "HuaweiCloud KMS",
};
const GROUP_FOREIGN: Readonly<Record<string, string>> = { ...FOREIGN_KEYS, hc_vault: "HashiCorp Vault" };
const COMMENT_RULES = ["encrypted_comment_regex", "unencrypted_comment_regex"] as const;
const RULE_FIELDS = new Set([
  "path_regex",
  "kms",
  "aws_profile",
  "age",
  "key_groups",
  "shamir_threshold",
  "mac_only_encrypted",
  ...CRYPT_RULE_KINDS,
  ...COMMENT_RULES,
  ...Object.keys(FOREIGN_KEYS),
]);

/**
 * The rules of a `.sops.yaml`, or null when it has no `creation_rules` (sops then behaves as if
 * there were no config file, and so does kmseal). Throws a ConfigError with file:line:col.
 */
export function loadSopsYaml(file: string, shown = file): Kmsrc | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return parseSopsYaml(text, file, shown);
}

/** Not carried out by kmseal: said by `status`-like callers and `init --from-sops`; never fatal. */
export interface SopsNote {
  readonly text: string;
  readonly line: number | undefined;
}

const notes = new WeakMap<Kmsrc, readonly SopsNote[]>();

/** What the `.sops.yaml` held that kmseal reads but does not act on (unknown fields, `stores:`...). */
export function sopsNotes(config: Kmsrc): readonly SopsNote[] {
  return notes.get(config) ?? [];
}

export function parseSopsYaml(text: string, file: string, shown = file): Kmsrc | null {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const fail = (message: string, at: readonly (string | number)[]): never => {
    const pos = locate(doc, counter, at);
    throw new ConfigError(message, {
      file: shown,
      line: pos?.line,
      column: pos?.column,
      hint: "fix the .sops.yaml, or write a .kmsrc (`kmseal init --from-sops`)",
    });
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    throw new ConfigError(`not valid YAML: ${first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, {
      file: shown,
      line: pos?.line,
      column: pos?.col,
    });
  }
  const raw: unknown = doc.toJS() ?? {};
  if (!isMap(raw)) return fail(`expected a mapping with creation_rules:, found ${kindOf(raw)}`, []);
  const found: SopsNote[] = [];
  const note = (t: string, at: readonly (string | number)[]) => found.push({ text: t, line: locate(doc, counter, at)?.line });
  for (const k of Object.keys(raw)) {
    if (k === "stores") note("stores: (output indentation) is not applied: kmseal keeps the file's own layout", [k]);
    else if (k === "destination_rules") note("destination_rules: (sops publish) have no kmseal counterpart", [k]);
    else if (k !== "creation_rules") note(`unknown top-level field "${k}" is ignored`, [k]);
  }
  const rawRules = raw["creation_rules"];
  if (rawRules === undefined || rawRules === null) return null;
  if (!Array.isArray(rawRules)) return fail(`creation_rules: expected a list, found ${kindOf(rawRules)}`, ["creation_rules"]);
  const rules = rawRules.map((r: unknown, i) => {
    const at = (...rest: (string | number)[]) => ["creation_rules", i, ...rest];
    const where = `${SOPS_YAML} creation_rules[${i}]`;
    if (!isMap(r)) return fail(`${where}: expected a mapping, found ${kindOf(r)}`, at());
    for (const k of Object.keys(r)) if (!RULE_FIELDS.has(k)) note(`${where}.${k} is not a field sops reads; ignored`, at(k));
    return parseCreationRule(r, where, (message, ...rest) => fail(message, at(...rest)));
  });
  const config: Kmsrc = { format: "sops", root: dirname(resolve(file)), file: resolve(file), aws: {}, rules, requireManifest: false };
  notes.set(config, found);
  return config;
}

type Fail = (message: string, ...at: (string | number)[]) => never;

function parseCreationRule(r: Record<string, unknown>, where: string, fail: Fail): Rule {
  const pathRegex = r["path_regex"] ?? "";
  if (typeof pathRegex !== "string") return fail(`${where}.path_regex: expected a string, found ${kindOf(pathRegex)}`, "path_regex");
  const bad = pathRegex === "" ? undefined : regexProblem(pathRegex);
  if (bad !== undefined) fail(`${where}.path_regex: ${bad}`, "path_regex");

  const refusals: string[] = [];
  const cryptFields: readonly string[] = [...CRYPT_RULE_KINDS, ...COMMENT_RULES];
  // In the file's order, so the error points at the second one written.
  const crypts = Object.keys(r).filter(
    (k): k is (typeof CRYPT_RULE_KINDS)[number] | (typeof COMMENT_RULES)[number] => cryptFields.includes(k) && r[k] !== null && r[k] !== "",
  );
  if (crypts.length > 1)
    fail(
      `${where}: at most one of ${[...CRYPT_RULE_KINDS, ...COMMENT_RULES].join(", ")} may be set (sops refuses too), found ${crypts.join(" and ")}`,
      crypts[1]!,
    );
  let crypt: CryptRule | undefined;
  const kind = crypts[0];
  if (kind !== undefined) {
    const value = r[kind];
    if (typeof value !== "string") fail(`${where}.${kind}: expected a string, found ${kindOf(value)}`, kind);
    if (kind === "encrypted_comment_regex" || kind === "unencrypted_comment_regex")
      refusals.push(`${kind} (which values a preceding comment encrypts) is not implemented by kmseal`);
    else {
      if (kind.endsWith("_regex")) {
        const problem = regexProblem(value);
        if (problem !== undefined) fail(`${where}.${kind}: ${problem}`, kind);
      }
      crypt = { kind, value: value };
    }
  }
  const mac = r["mac_only_encrypted"] ?? false;
  if (typeof mac !== "boolean") fail(`${where}.mac_only_encrypted: expected true or false, found ${kindOf(mac)}`, "mac_only_encrypted");

  const profile = r["aws_profile"] ?? "";
  if (typeof profile !== "string") fail(`${where}.aws_profile: expected a string, found ${kindOf(profile)}`, "aws_profile");

  let kmsKeys: KmsKeySpec[];
  let age: string[];
  const groups = r["key_groups"];
  if (groups !== undefined && groups !== null && !(Array.isArray(groups) && groups.length === 0)) {
    // sops reads key_groups instead of the rule's own kms/age lists when both are there.
    if (!Array.isArray(groups)) fail(`${where}.key_groups: expected a list, found ${kindOf(groups)}`, "key_groups");
    const list = groups as unknown[];
    if (list.length > 1)
      refusals.push(
        `it has ${list.length} key_groups: kmseal has no Shamir secret sharing, so it can only seal to one group of keys any one of which decrypts`,
      );
    const group = { kms: [] as KmsKeySpec[], age: [] as string[], refusals: [] as string[] };
    keysOfGroup(list[0], `${where}.key_groups[0]`, group, (m, ...at) => fail(m, "key_groups", 0, ...at));
    kmsKeys = group.kms;
    age = group.age;
    refusals.push(...group.refusals);
  } else {
    for (const [field, name] of Object.entries(FOREIGN_KEYS))
      if (stringList(r[field], `${where}.${field}`, (m) => fail(m, field)).length > 0)
        refusals.push(`it names ${name} keys (${field}), which kmseal cannot use`);
    age = stringList(r["age"], `${where}.age`, (m) => fail(m, "age"));
    kmsKeys = stringList(r["kms"], `${where}.kms`, (m) => fail(m, "kms")).map((entry) => ({
      ...arnAndRole(entry),
      awsProfile: profile,
      context: undefined,
    }));
  }
  const threshold = r["shamir_threshold"] ?? 0;
  if (typeof threshold !== "number" || !Number.isInteger(threshold) || threshold < 0)
    fail(`${where}.shamir_threshold: expected a whole number, found ${kindOf(threshold)}`, "shamir_threshold");
  else if (threshold > 1) refusals.push(`shamir_threshold is ${threshold}: kmseal has no Shamir secret sharing (any one key decrypts)`);

  return {
    path: pathRegex,
    pathRegex,
    where,
    exclude: [],
    kms: kmsKeys.map((k) => k.arn),
    kmsKeys,
    age: [...new Set(age)],
    context: {},
    crypt,
    macOnlyEncrypted: mac,
    encryptComments: true,
    ...(refusals.length > 0 ? { refusal: `${where} cannot be used by kmseal: ${refusals.join("; ")}` } : {}),
  };
}

/** A key field as sops takes it: a comma-separated string or a list of strings, blanks dropped. */
function stringList(v: unknown, where: string, fail: (message: string) => never): string[] {
  if (v === undefined || v === null) return [];
  const items =
    typeof v === "string"
      ? [v]
      : Array.isArray(v) && v.every((x) => typeof x === "string")
        ? v
        : fail(`${where}: expected a string or a list of strings, found ${kindOf(v)}`);
  return items
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** sops's `ARN+ROLE_ARN` (spaces removed; `+arn:` separates the two, as KMS ARNs hold no `:` after a `+`). */
function arnAndRole(entry: string): { arn: string; role: string | undefined } {
  const arn = entry.replace(/ /g, "");
  const i = arn.indexOf("+arn:");
  return i > 0 ? { arn: arn.slice(0, i), role: arn.slice(i + 1) } : { arn, role: undefined };
}

interface GroupKeys {
  kms: KmsKeySpec[];
  age: string[];
  refusals: string[];
}

/** The keys of one key group, `merge:` groups included, in sops's order (merged, age, kms). */
function keysOfGroup(raw: unknown, where: string, out: GroupKeys, fail: Fail): void {
  if (!isMap(raw)) fail(`${where}: expected a mapping of keys, found ${kindOf(raw)}`);
  const g = raw;
  const merge = g["merge"];
  if (merge !== undefined && merge !== null) {
    if (!Array.isArray(merge)) fail(`${where}.merge: expected a list of key groups, found ${kindOf(merge)}`, "merge");
    (merge as unknown[]).forEach((m, i) => {
      keysOfGroup(m, `${where}.merge[${i}]`, out, (msg, ...at) => fail(msg, "merge", i, ...at));
    });
  }
  for (const [field, name] of Object.entries(GROUP_FOREIGN)) {
    const v = g[field];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      out.refusals.push(`${where} names ${name} keys (${field}), which kmseal cannot use`);
  }
  const age = g["age"];
  if (age !== undefined && age !== null) {
    if (!Array.isArray(age) || !age.every((x) => typeof x === "string")) fail(`${where}.age: expected a list of recipients, found ${kindOf(age)}`, "age");
    out.age.push(...stringList(age, `${where}.age`, (m) => fail(m, "age")));
  }
  const kms = g["kms"];
  if (kms !== undefined && kms !== null) {
    if (!Array.isArray(kms)) fail(`${where}.kms: expected a list of { arn, role, context, aws_profile }, found ${kindOf(kms)}`, "kms");
    (kms as unknown[]).forEach((k, i) => {
      const at = (...rest: (string | number)[]) => ["kms", i, ...rest];
      if (!isMap(k)) fail(`${where}.kms[${i}]: expected a mapping with arn:, found ${kindOf(k)}`, ...at());
      const key = k;
      const str = (field: string): string => {
        const v = key[field] ?? "";
        if (typeof v !== "string") fail(`${where}.kms[${i}].${field}: expected a string, found ${kindOf(v)}`, ...at(field));
        return v;
      };
      const arn = str("arn");
      if (arn === "") fail(`${where}.kms[${i}].arn: expected a KMS key ARN`, ...at());
      const context: Record<string, string> = {};
      const ctx = key["context"];
      if (ctx !== undefined && ctx !== null) {
        if (!isMap(ctx)) fail(`${where}.kms[${i}].context: expected a mapping of strings, found ${kindOf(ctx)}`, ...at("context"));
        for (const [ck, cv] of Object.entries(ctx)) {
          // sops drops the whole context (with a warning) for a non-string value; kmseal refuses rather than seal under a different context.
          if (typeof cv !== "string")
            fail(`${where}.kms[${i}].context.${ck}: expected a string (sops would drop the whole context), found ${kindOf(cv)}`, ...at("context", ck));
          context[ck] = cv;
        }
      }
      const role = str("role");
      out.kms.push({ arn, role: role === "" ? undefined : role, awsProfile: str("aws_profile"), context });
    });
  }
}
