/**
 * What a file says about itself without any key: plaintext or sealed, and for a sealed file every
 * problem visible offline (a plaintext value where its own metadata's rule encrypts, a malformed
 * `ENC[...]`, a `file` context that is not its path, keys that are not the rule's). Shared by
 * `check` and `status`; it loads no key code, so neither command can reach AWS or age.
 */
import { FormatError, KmsealError } from "../../core/errors.js";
import { MANIFEST_KEY } from "../../core/manifest.js";
import { metadataFromPlain, type KmsRecord, type Metadata } from "../../core/metadata.js";
import { compilePolicy, type Policy } from "../../core/policy.js";
import { displayPath, scalarText, type Leaf } from "../../core/tree.js";
import { isEncrypted, parseEnc } from "../../core/value.js";
import type { Rule } from "../../config/kmsrc.js";
import { conflictRecord, hasConflictMarkers } from "../../core/conflict.js";
import { settingDifference } from "../sealing/rule-setting.js";
import { ruleLabel } from "../../config/rules.js";
import { formatOf, isEncryptedName } from "../../stores/file-name.js";
import { loadStore } from "../../stores/registry.js";

export type ProblemKind =
  | "plaintext-file" // a covered file with no sops metadata
  | "plaintext-copy" // the plaintext copy of an encrypted file (x.yaml next to x.enc.yaml) that git would commit
  | "unreadable" // named or marked as encrypted, but it or its metadata does not parse
  | "plaintext-value" // a value where the file's crypt rule encrypts, not ENC[...]
  | "malformed-value" // ENC[...] that sops could not read
  | "context-mismatch" // a KMS `file` context that is not the file's own path
  | "context-missing" // a KMS key with no `file` context: not bound to its path
  | "keys-differ" // the file's keys are not the ones its rule names
  | "merge-conflict" // the merge driver's conflict record, or conflict markers where they can be seen
  | "rule-differs" // the file's crypt rule or mac_only_encrypted is not its .kmsrc rule's
  | "no-manifest"; // sealed without a kmseal manifest (by sops): verified only as sops verifies

export interface Problem {
  readonly kind: ProblemKind;
  /** The leaf's key path (`db.password`), for value problems. */
  readonly keyPath?: readonly string[];
  /** What is wrong, without any plaintext. */
  readonly detail: string;
  /** For context-mismatch: the path the file is bound to. */
  readonly boundTo?: string;
}

export interface Inspection {
  /** The file carries sops metadata. */
  readonly encrypted: boolean;
  /** Parsed metadata, when it is valid. */
  readonly meta: Metadata | null;
  readonly problems: readonly Problem[];
}

/**
 * `name` picks the format (and says whether the file is meant to be encrypted); `boundPath` is the
 * project-relative path its KMS `file` context must hold; `rule` is the `.kmsrc` rule covering it.
 */
export async function inspect(bytes: Uint8Array, name: string, boundPath: string, rule: Rule | undefined): Promise<Inspection> {
  const encryptedName = isEncryptedName(name);
  let metadata: unknown;
  let leaves: readonly Leaf[];
  try {
    const doc = (await loadStore(formatOf(name))).parse(bytes);
    metadata = doc.metadata;
    leaves = doc.leaves;
  } catch (err) {
    if (!(err instanceof KmsealError)) throw err;
    const where = err instanceof FormatError && err.line !== undefined ? ` (line ${err.line})` : "";
    if (encryptedName && hasConflictMarkers(Buffer.from(bytes).toString("utf8")))
      return {
        encrypted: false,
        meta: null,
        problems: [{ kind: "merge-conflict", detail: "holds git's conflict markers: it was merged as text, without the kmseal merge driver" }],
      };
    return encryptedName
      ? { encrypted: false, meta: null, problems: [{ kind: "unreadable", detail: `cannot be parsed${where}: ${err.reason}` }] }
      : { encrypted: false, meta: null, problems: [{ kind: "plaintext-file", detail: "is not encrypted" }] };
  }
  if (metadata === null || metadata === undefined) {
    return {
      encrypted: false,
      meta: null,
      problems: [{ kind: "plaintext-file", detail: encryptedName ? "has an encrypted name but no sops metadata: it is plaintext" : "is not encrypted" }],
    };
  }
  let meta: Metadata;
  let policy: Policy;
  try {
    meta = metadataFromPlain(metadata);
    policy = compilePolicy(meta.rule);
  } catch (err) {
    if (!(err instanceof KmsealError)) throw err;
    return { encrypted: true, meta: null, problems: [{ kind: "unreadable", detail: `has invalid sops metadata: ${err.reason}` }] };
  }
  const problems: Problem[] = [...conflictProblems(meta, leaves, policy), ...valueProblems(leaves, policy), ...contextProblems(meta, boundPath)];
  if (rule !== undefined) {
    const differs = settingDifference(meta, rule);
    if (differs !== null) problems.push({ kind: "rule-differs", detail: differs });
  }
  const keys = keyDifference(meta, rule);
  if (keys !== null) problems.push({ kind: "keys-differ", detail: keys });
  if (meta.extra[MANIFEST_KEY] === undefined)
    problems.push({
      kind: "no-manifest",
      detail: "sealed without a kmseal manifest (written or rewritten by sops): its empty values, type tags and crypt rule are not authenticated",
    });
  return { encrypted: true, meta, problems };
}

/** Without a key only the record and the values in cleartext positions can be seen. */
function conflictProblems(meta: Metadata, leaves: readonly Leaf[], policy: Policy): Problem[] {
  const record = conflictRecord(meta);
  if (record !== undefined) return [{ kind: "merge-conflict", detail: `carries the merge driver's conflict record (${record})` }];
  const marked = leaves.find(
    (l) => l.kind === "value" && l.value.type === "str" && !policy.encrypts(l.path) && hasConflictMarkers(Buffer.from(l.value.bytes).toString("utf8")),
  );
  return marked === undefined ? [] : [{ kind: "merge-conflict", keyPath: marked.path, detail: "a value holds merge conflict markers" }];
}

function valueProblems(leaves: readonly Leaf[], policy: Policy): Problem[] {
  const out: Problem[] = [];
  for (const leaf of leaves) {
    // Comments are encrypted too, but a plaintext comment is a note, not a leaked value.
    if (leaf.kind !== "value" || leaf.value.type === "null" || !policy.encrypts(leaf.path)) continue;
    const text = leaf.value.type === "str" ? scalarText(leaf.value) : null;
    if (text === "") continue;
    if (text === null || !isEncrypted(text)) {
      out.push({ kind: "plaintext-value", keyPath: leaf.path, detail: "plaintext value in an encrypted position" });
      continue;
    }
    try {
      parseEnc(text);
    } catch (err) {
      if (!(err instanceof KmsealError)) throw err;
      out.push({ kind: "malformed-value", keyPath: leaf.path, detail: err.reason });
    }
  }
  return out;
}

function contextProblems(meta: Metadata, boundPath: string): Problem[] {
  const kms = meta.keys.filter((k): k is KmsRecord => k.type === "kms");
  const wrong = kms.find((k) => k.context?.["file"] !== undefined && k.context["file"] !== boundPath);
  if (wrong !== undefined) {
    const bound = wrong.context!["file"]!;
    return [{ kind: "context-mismatch", detail: `is bound to path "${bound}" (KMS encryption context) but is at "${boundPath}"`, boundTo: bound }];
  }
  if (kms.some((k) => k.context?.["file"] === undefined)) {
    return [{ kind: "context-missing", detail: "has a KMS key without a `file` encryption context, so it is not bound to its path" }];
  }
  return [];
}

const ALIAS = /^alias\/|:alias\//;

/** How the file's keys differ from the rule's, or null. Aliases cannot be resolved offline, so an alias counts as matching any one KMS key. */
export function keyDifference(meta: Metadata, rule: Rule | undefined): string | null {
  if (rule === undefined || (rule.kms.length === 0 && rule.age.length === 0)) return null;
  const diffs: string[] = [];
  const recipients = meta.keys.flatMap((k) => (k.type === "age" ? [k.recipient] : []));
  const missingAge = rule.age.filter((r) => !recipients.includes(r));
  const extraAge = recipients.filter((r) => !rule.age.includes(r));
  if (missingAge.length > 0) diffs.push(`age recipient ${missingAge.join(", ")} missing`);
  if (extraAge.length > 0) diffs.push(`age recipient ${extraAge.join(", ")} not in the rule`);
  const kms = meta.keys.filter((k): k is KmsRecord => k.type === "kms");
  const named = rule.kms.filter((id) => !ALIAS.test(id));
  const matches = (id: string, arn: string) => arn === id || arn.endsWith(`:key/${id}`);
  const missingKms = named.filter((id) => !kms.some((k) => matches(id, k.arn)));
  if (missingKms.length > 0) diffs.push(`KMS key ${missingKms.join(", ")} missing`);
  if (rule.kms.length !== kms.length) diffs.push(`the rule names ${rule.kms.length} KMS key(s), the file has ${kms.length}`);
  else if (named.length === rule.kms.length) {
    const extra = kms.filter((k) => !named.some((id) => matches(id, k.arn))).map((k) => k.arn);
    if (extra.length > 0) diffs.push(`KMS key ${extra.join(", ")} not in the rule`);
  }
  const wrongContext = Object.entries(rule.context).filter(([k, v]) => kms.some((r) => r.context?.[k] !== v));
  if (wrongContext.length > 0) diffs.push(`encryption context ${wrongContext.map(([k, v]) => `${k}=${v}`).join(", ")} missing`);
  const ruleName = rule.where !== undefined ? ruleLabel(rule) : `.kmsrc rule "${ruleLabel(rule)}"`;
  return diffs.length === 0 ? null : `keys differ from its ${ruleName}: ${diffs.join("; ")}`;
}

/** A key path as `kmseal get/set` take it: dotted, or a JSON pointer when a key holds `.` or `/`. */
export function keyPathArg(path: readonly string[]): string {
  if (path.some((k) => k.includes(".") || k.includes("/") || k === "")) return "/" + path.map((k) => k.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
  return displayPath(path);
}
