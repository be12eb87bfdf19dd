/** The per-file data key: generate it, wrap it for every key source, recover it from any one. */
import { randomBytes } from "node:crypto";
import { KmsealError, NoMatchingKeyError } from "../core/errors.js";
import type { KeyRecord } from "../core/metadata.js";
import type { KeySource, KeyUnwrapper } from "./key-source.js";
import { recordId } from "./registry.js";

export function generateDataKey(): Uint8Array {
  return randomBytes(32);
}

export async function wrapAll(sources: readonly KeySource[], dataKey: Uint8Array): Promise<KeyRecord[]> {
  return Promise.all(sources.map((s) => s.wrap(dataKey)));
}

/**
 * Tries age records first (local, no network), then KMS records in file order; the first success
 * wins. When all fail, the error lists each key and why. If every failure was an authentication
 * problem, that error is raised as it is (exit 5 tells the user to log in, not that keys are wrong).
 */
export async function unwrapAny(records: readonly KeyRecord[], unwrappers: readonly KeyUnwrapper[]): Promise<{ dataKey: Uint8Array; record: KeyRecord }> {
  const ordered = [...records.filter((r) => r.type === "age"), ...records.filter((r) => r.type !== "age")];
  const reasons: string[] = [];
  const failures: KmsealError[] = [];
  for (const record of ordered) {
    const unwrapper = unwrappers.find((u) => u.type === record.type);
    if (unwrapper === undefined) {
      reasons.push(`${recordId(record)}: no ${record.type} key source available`);
      continue;
    }
    try {
      const dataKey = await unwrapper.unwrap(record);
      if (dataKey !== null) return { dataKey, record };
      reasons.push(`${recordId(record)}: no matching identity`);
    } catch (err) {
      if (!(err instanceof KmsealError)) throw err;
      failures.push(err);
      reasons.push(`${recordId(record)}: ${err.reason}`);
    }
  }
  if (failures.length > 0 && failures.every((f) => f.code === "auth")) throw failures[0]!;
  const hint = records.some((r) => r.type === "age")
    ? "set KMSEAL_AGE_KEY_FILE (or SOPS_AGE_KEY_FILE) to a file with a matching age identity, or check AWS access to the KMS keys"
    : "check that your AWS identity may call kms:Decrypt on the key with this file's encryption context";
  throw new NoMatchingKeyError(`no key could decrypt the data key:\n  ${reasons.join("\n  ")}`, reasons, { hint });
}
