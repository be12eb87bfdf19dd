/**
 * The `sops` metadata block: typed view ⇄ the plain object stores read and write.
 * Fields are emitted sorted by name (sops ≥ 3.13); key types kmseal does not handle (pgp, gcp_kms,
 * azure_kv, hc_vault, hckms, key_groups) and unknown fields are kept verbatim.
 */
import { FormatError } from "./errors.js";
import { CRYPT_RULE_KINDS, type CryptRule, type CryptRuleKind } from "./policy.js";

/** The sops version kmseal writes: the format it follows, and semver as sops's version check needs. */
export const SOPS_VERSION = "3.13.3";

export interface KmsRecord {
  readonly type: "kms";
  readonly arn: string;
  readonly awsProfile: string;
  readonly context: Readonly<Record<string, string>> | undefined;
  readonly createdAt: string;
  readonly enc: string;
  readonly role: string | undefined;
}

export interface AgeRecord {
  readonly type: "age";
  readonly recipient: string;
  readonly enc: string;
}

export type KeyRecord = KmsRecord | AgeRecord;

export interface Metadata {
  readonly keys: readonly KeyRecord[];
  readonly lastmodified: string;
  readonly mac: string;
  readonly rule: CryptRule;
  readonly macOnlyEncrypted: boolean;
  readonly version: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export type PlainValue = string | boolean | number | PlainValue[] | { [key: string]: PlainValue };
export type PlainObject = { [key: string]: PlainValue };

const OTHER_KEY_TYPES = ["azure_kv", "gcp_kms", "hc_vault", "hckms", "key_groups", "pgp"];
const KNOWN = new Set<string>(["age", "kms", "lastmodified", "mac", "mac_only_encrypted", "version", ...CRYPT_RULE_KINDS]);
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|z|[+-]\d\d:\d\d)$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** `lastmodified` as Go's time.Format(RFC3339) re-renders it: that text is the MAC's AAD. */
export function macAad(lastmodified: string): string {
  const m = RFC3339.exec(lastmodified);
  if (m === null) throw new FormatError(`sops.lastmodified "${lastmodified}" is not an RFC 3339 time`);
  return m[1]! + (m[3] === "z" ? "Z" : m[3]!);
}

/** Now, as sops stores it: UTC, whole seconds. */
export function nowStamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, "Z");
}

export function metadataToPlain(meta: Metadata): PlainObject {
  const out: PlainObject = {};
  const age = meta.keys.filter((k): k is AgeRecord => k.type === "age");
  const kms = meta.keys.filter((k): k is KmsRecord => k.type === "kms");
  if (age.length > 0) out["age"] = age.map((k) => ({ enc: k.enc, recipient: k.recipient }));
  if (kms.length > 0) out["kms"] = kms.map(kmsToPlain);
  out["lastmodified"] = meta.lastmodified;
  out["mac"] = meta.mac;
  if (meta.macOnlyEncrypted) out["mac_only_encrypted"] = true;
  out[meta.rule.kind] = meta.rule.value;
  out["version"] = meta.version;
  for (const [k, v] of Object.entries(meta.extra)) out[k] = v as PlainValue;
  return sortKeys(out);
}

function kmsToPlain(k: KmsRecord): PlainObject {
  const out: PlainObject = { arn: k.arn, aws_profile: k.awsProfile };
  if (k.context !== undefined) out["context"] = sortKeys({ ...k.context });
  out["created_at"] = k.createdAt;
  out["enc"] = k.enc;
  if (k.role !== undefined && k.role !== "") out["role"] = k.role;
  return out;
}

function sortKeys(obj: PlainObject): PlainObject {
  const out: PlainObject = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k]!;
  return out;
}

/** Validates a parsed `sops` block as sops does on load. */
export function metadataFromPlain(raw: unknown): Metadata {
  const obj = asObject(raw, "sops");
  const keys: KeyRecord[] = [];
  for (const [i, entry] of asList(obj["age"], "sops.age").entries()) {
    const e = asObject(entry, `sops.age[${i}]`);
    keys.push({ type: "age", recipient: str(e, "recipient", `sops.age[${i}]`), enc: str(e, "enc", `sops.age[${i}]`) });
  }
  for (const [i, entry] of asList(obj["kms"], "sops.kms").entries()) {
    const where = `sops.kms[${i}]`;
    const e = asObject(entry, where);
    const createdAt = str(e, "created_at", where);
    if (!RFC3339.test(createdAt)) throw new FormatError(`${where}.created_at "${createdAt}" is not an RFC 3339 time`);
    const context = e["context"] === undefined || e["context"] === null ? undefined : stringMap(e["context"], `${where}.context`);
    keys.push({
      type: "kms",
      arn: str(e, "arn", where),
      awsProfile: optionalStr(e, "aws_profile", where) ?? "",
      context,
      createdAt,
      enc: str(e, "enc", where),
      role: optionalStr(e, "role", where),
    });
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (KNOWN.has(k)) continue;
    if (OTHER_KEY_TYPES.includes(k) && (v === null || (Array.isArray(v) && v.length === 0))) continue;
    extra[k] = v;
  }
  const hasOtherKeys = OTHER_KEY_TYPES.some((k) => Array.isArray(extra[k]) && (extra[k] as unknown[]).length > 0);
  if (keys.length === 0 && !hasOtherKeys) throw new FormatError("sops metadata lists no keys (No keys found in file)");
  const lastmodified = str(obj, "lastmodified", "sops");
  macAad(lastmodified);
  const version = obj["version"] === undefined ? "" : scalarString(obj["version"], "sops.version");
  if (!SEMVER.test(version)) throw new FormatError(`sops.version "${version}" is not a semantic version`);
  const rules = CRYPT_RULE_KINDS.filter((k) => obj[k] !== undefined && obj[k] !== "");
  if (rules.length > 1) throw new FormatError(`sops metadata sets more than one crypt rule (${rules.join(", ")})`);
  const kind: CryptRuleKind = rules[0] ?? "unencrypted_suffix";
  const rule = { kind, value: rules[0] === undefined ? "_unencrypted" : scalarString(obj[kind], `sops.${kind}`) };
  return {
    keys,
    lastmodified,
    mac: obj["mac"] === undefined || obj["mac"] === null ? "" : scalarString(obj["mac"], "sops.mac"),
    rule,
    macOnlyEncrypted: obj["mac_only_encrypted"] === true || obj["mac_only_encrypted"] === "true",
    version,
    extra,
  };
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new FormatError(`${where} must be a mapping`);
  return v as Record<string, unknown>;
}

function asList(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FormatError(`${where} must be a list`);
  return v;
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "") throw new FormatError(`${where}.${key} is missing or not a string`);
  return v;
}

function optionalStr(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new FormatError(`${where}.${key} must be a string`);
  return v;
}

/** A metadata field read as text: a YAML/JSON scalar as written; a list or mapping is refused, as sops refuses it. */
function scalarString(v: unknown, where: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new FormatError(`${where} must be a string`);
}

function stringMap(v: unknown, where: string): Record<string, string> {
  const obj = asObject(v, where);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj)) {
    if (val === null || val === undefined) continue;
    out[k] = scalarString(val, `${where}.${k}`);
  }
  return out;
}
