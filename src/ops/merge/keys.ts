/**
 * Which data key, key list and encryption rule a merged file is sealed with. Normally ours': the
 * merge result replaces our version. Two changes to the sops block must not be lost silently,
 * though: a rotation (a new data key: `kmseal rotate`) and a changed key list (`updatekeys`) on
 * their side only are kept, because undoing either would quietly restore access that someone
 * removed on purpose. When both sides changed them differently, that is a conflict: the merge keeps
 * ours' and says so.
 */
import type { KeyRecord } from "../../core/metadata.js";
import type { CiphertextStash } from "../../core/document.js";
import type { OpenedFile, ResealBase } from "../sealing/sealed-file.js";

export type Side = "ours" | "theirs";

export interface SealingChoice {
  /** The file to reseal from: its data key, metadata and a stash of reusable ciphertexts. */
  readonly from: ResealBase;
  readonly home: Side;
  /** Conflicts in the sops block, in words (no secrets). */
  readonly problems: string[];
}

export function chooseSealing(base: OpenedFile | undefined, ours: OpenedFile, theirs: OpenedFile): SealingChoice {
  const rotatedByThem = base !== undefined && !sameKey(theirs, base) && sameKey(ours, base);
  const home: Side = rotatedByThem ? "theirs" : "ours";
  const [mine, other] = home === "ours" ? [ours, theirs] : [theirs, ours];
  const problems: string[] = [];
  let keys = mine.meta.keys;
  let rule = { rule: mine.meta.rule, macOnlyEncrypted: mine.meta.macOnlyEncrypted };
  const pick = <T>(what: string, id: (f: OpenedFile) => string, value: (f: OpenedFile) => T, current: T): T => {
    if (id(other) === id(mine) || (base !== undefined && id(other) === id(base))) return current;
    if (base !== undefined && id(mine) === id(base) && sameKey(other, mine)) return value(other);
    problems.push(`${what} differ on both sides; the merged file keeps ${home === "ours" ? "ours" : "theirs (which rotated the data key)"}`);
    return current;
  };
  keys = pick(
    "the file's keys (KMS keys and age recipients)",
    (f) => keyIds(f.meta.keys),
    (f) => f.meta.keys,
    keys,
  );
  rule = pick(
    "the encryption rules (encrypted_regex, unencrypted_suffix, ...)",
    ruleId,
    (f) => ({ rule: f.meta.rule, macOnlyEncrypted: f.meta.macOnlyEncrypted }),
    rule,
  );
  // Ciphertexts of either side can be reused when they are under the data key the result uses.
  const stash: CiphertextStash = new Map();
  if (sameKey(other, mine)) for (const [k, v] of other.opened.stash) stash.set(k, v);
  for (const [k, v] of mine.opened.stash) stash.set(k, v);
  const from: ResealBase = { format: mine.format, dataKey: mine.dataKey, meta: { ...mine.meta, keys, ...rule }, opened: { ...mine.opened, stash } };
  return { from, home, problems };
}

function sameKey(a: OpenedFile, b: OpenedFile): boolean {
  return Buffer.from(a.dataKey).equals(Buffer.from(b.dataKey));
}

/** The key list by who can open it, not by the wrapped keys (which differ for every rewrap). */
function keyIds(keys: readonly KeyRecord[]): string {
  const ids = keys.map((k) =>
    k.type === "age" ? `age ${k.recipient}` : `kms ${k.arn} ${k.role ?? ""} ${k.awsProfile} ${JSON.stringify(Object.entries(k.context ?? {}).sort())}`,
  );
  return JSON.stringify(ids.sort());
}

function ruleId(f: OpenedFile): string {
  return JSON.stringify([f.meta.rule, f.meta.macOnlyEncrypted]);
}
