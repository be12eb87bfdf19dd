/**
 * Which key stanzas `updatekeys` keeps, adds and removes, by identity. A rule may name a KMS key by
 * alias or bare key id, while the file stores the key ARN that KMS answered Encrypt with, so
 * comparing names would read "+ alias/app-prod - arn:…:key/<the same key>" as a change. An alias is
 * resolved the way encrypt learned the ARN in the first place: by wrapping the data key under it
 * and reading the ARN back (also in a dry run; nothing is written).
 */
import type { KeyRecord } from "../../core/metadata.js";
import type { KeySource } from "../../keys/key-source.js";
import { KEY_KINDS, kindOfId, recordId } from "../../keys/registry.js";

export interface KeyPlan {
  /** The file's records that stay as they are. */
  readonly keep: KeyRecord[];
  /** Records for keys the file does not have yet (in a dry run, only those that had to be wrapped to be resolved). */
  readonly wrapped: KeyRecord[];
  /** The sources the file does not have yet: to be wrapped unless already in `wrapped`. */
  readonly fresh: KeySource[];
  /** Keys to add, as people read them: `alias/app (arn:…)`, an ARN, or an age recipient. */
  readonly added: string[];
  /** The file's keys that go: ARN or age recipient. */
  readonly removed: string[];
}

const ALIAS = /^alias\/|^arn:aws[\w-]*:kms:[^:]+:[0-9]+:alias\//;

/** Whether the record is this source's key, by what the source's name alone says. */
function sameKey(record: KeyRecord, source: KeySource): boolean {
  if (source.type === "age") return record.type === "age" && record.recipient === source.id;
  if (record.type !== "kms") return false;
  return record.arn === source.id || record.arn.endsWith(`:key/${source.id}`);
}

export async function planKeys(current: readonly KeyRecord[], sources: readonly KeySource[], dataKey: Uint8Array): Promise<KeyPlan> {
  const keep: KeyRecord[] = [];
  const wrapped: KeyRecord[] = [];
  const fresh: KeySource[] = [];
  const added: string[] = [];
  for (const source of sources) {
    let existing = current.find((r) => sameKey(r, source));
    let record: KeyRecord | undefined;
    if (existing === undefined && source.type === "kms" && ALIAS.test(source.id)) {
      record = await source.wrap(dataKey);
      const arn = record.type === "kms" ? record.arn : "";
      existing = current.find((r) => r.type === "kms" && r.arn === arn);
    }
    if (existing !== undefined) {
      if (!keep.includes(existing)) keep.push(existing);
      continue;
    }
    if (record !== undefined) wrapped.push(record);
    else fresh.push(source);
    added.push(record !== undefined && record.type === "kms" && record.arn !== source.id ? `${source.id} (${record.arn})` : source.id);
  }
  const removed = current.filter((r) => !keep.includes(r)).map(recordId);
  return { keep, wrapped, fresh, added, removed };
}

/** One sentence per file: what changes, in words, or that nothing does. */
export function describeKeyChange(change: { readonly added: readonly string[]; readonly removed: readonly string[] }, dryRun: boolean): string {
  if (change.added.length === 0 && change.removed.length === 0) return "no change: its keys already match the rule";
  const words = (verb: string, ids: readonly string[]) => {
    const parts = KEY_KINDS.map((kind) => {
      const mine = ids.filter((id) => kindOfId(id) === kind);
      return mine.length === 0 ? "" : `${kind.label[mine.length > 1 ? 1 : 0]} ${mine.join(", ")}`;
    }).filter(Boolean);
    return parts.length === 0 ? "" : `${verb} ${parts.join(" and ")}`;
  };
  const [add, remove] = dryRun ? ["would add", "would remove"] : ["added", "removed"];
  return [words(add, change.added), words(remove, change.removed)].filter(Boolean).join("; ");
}
