/**
 * Which data key, key list and encryption rule a merged file is sealed with. Normally ours': the
 * merge result replaces our version. Two changes to the sops block must not be lost silently,
 * though: a rotation (a new data key: `kmseal rotate`) and a changed key list (`updatekeys`) on
 * their side only are kept, because undoing either would quietly restore access that someone
 * removed on purpose. When both sides changed them differently, that is a conflict: the merge keeps
 * ours' and says so. The crypt rule is different: a change of it on either side is a conflict, since
 * taking it silently could leave a value that was encrypted in cleartext (merge.ts keeps every value
 * encrypted that any version encrypted, or refuses).
 */
import type { KeyRecord } from "../../core/metadata.js";
import { sameSetting, settingOf, showSetting } from "../../core/crypt-setting.js";
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
  // A rule change is never taken silently from one side: it decides which values are cleartext.
  const settings = [base, ours, theirs].flatMap((f) => (f === undefined ? [] : [settingOf(f.meta)]));
  if (!settings.every((s) => sameSetting(s, settings[0]!))) {
    const shown = (f: OpenedFile | undefined) => (f === undefined ? "none" : showSetting(settingOf(f.meta)));
    problems.push(
      `the crypt rule changed in this merge (base: ${shown(base)}; ours: ${shown(ours)}; theirs: ${shown(theirs)}); ` +
        `the merged file is sealed with ${home === "ours" ? "ours'" : "theirs'"} rule (or its .kmsrc rule) and no value either side encrypted is in cleartext`,
    );
  }
  // Ciphertexts of either side can be reused when they are under the data key the result uses.
  const stash: CiphertextStash = new Map();
  if (sameKey(other, mine)) for (const [k, v] of other.opened.stash) stash.set(k, v);
  for (const [k, v] of mine.opened.stash) stash.set(k, v);
  const from: ResealBase = { format: mine.format, dataKey: mine.dataKey, meta: { ...mine.meta, keys }, opened: { ...mine.opened, stash } };
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
