/**
 * rotate (new data key, every value re-encrypted) and updatekeys (same data key, re-wrapped for the
 * keys the rule names now). Both take the keys from the file's `.kmsrc` rule, or keep the file's own.
 */
import { KmsealError } from "../core/errors.js";
import type { KeyRecord } from "../core/metadata.js";
import { decryptedName, formatOf } from "../stores/file-name.js";
import { wrapAll } from "../keys/data-key.js";
import type { KeyServices } from "./keys/services.js";
import { rewriteKeys, sealPlaintext, withOpened } from "./sealing/sealed-file.js";
import { sealingPlan, wantedKeys } from "./sealing/plan.js";
import { planKeys } from "./keys/diff.js";
import { writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";

export interface RekeyOptions {
  readonly configPath?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

/** `bytes`: the file as rotate wrote it. */
export interface Rotated {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export async function rotateFile(file: string, opts: RekeyOptions, services: KeyServices): Promise<Rotated> {
  return withFileLock(file, () => rotateUnlocked(file, opts, services));
}

async function rotateUnlocked(file: string, opts: RekeyOptions, services: KeyServices): Promise<Rotated> {
  const format = formatOf(file);
  // A fresh seal would drop the conflict record and keep the markers where only a key sees them.
  const read = { path: file, configPath: opts.configPath, refuseConflicts: true };
  const { plaintext, keys } = await withOpened(await readInput(file), format, read, services, (sealed) => ({
    plaintext: sealed.plaintext(),
    keys: sealed.meta.keys,
  }));
  const want = wantedKeys(file, keys, opts.configPath);
  const bytes = await sealPlaintext(
    plaintext,
    { format, kms: want.kms, age: want.age, context: want.context, configPath: opts.configPath, sealedPath: file, rulePath: decryptedName(file) ?? file },
    services,
  );
  await writeAtomic(file, bytes);
  return { path: file, bytes };
}

export interface KeyChange {
  readonly path: string;
  readonly added: string[];
  readonly removed: string[];
  readonly written: boolean;
  /** The key records the file holds afterwards (in a dry run, still the old ones). */
  readonly keys: readonly KeyRecord[];
}

export async function updateKeys(file: string, opts: RekeyOptions, services: KeyServices): Promise<KeyChange> {
  return opts.dryRun ? updateUnlocked(file, opts, services) : withFileLock(file, () => updateUnlocked(file, opts, services));
}

async function updateUnlocked(file: string, opts: RekeyOptions, services: KeyServices): Promise<KeyChange> {
  const format = formatOf(file);
  const input = await readInput(file);
  return withOpened(input, format, { path: file, configPath: opts.configPath }, services, async (sealed) => {
    const { meta } = sealed;
    const want = wantedKeys(file, meta.keys, opts.configPath);
    const { sources } = await sealingPlan(
      { kms: want.kms, age: want.age, context: want.context, configPath: opts.configPath, sealedPath: file, rulePath: file },
      services,
    );
    const { keep, wrapped, fresh, added, removed } = await planKeys(meta.keys, sources, sealed.dataKey);
    if (opts.dryRun || (added.length === 0 && removed.length === 0)) return { path: file, added, removed, written: false, keys: meta.keys };
    const keys = [...keep, ...wrapped, ...(await wrapAll(fresh, sealed.dataKey))];
    if (keys.length === 0) throw new KmsealError("usage", "the rule names no keys; refusing to leave the file without any");
    await writeAtomic(file, rewriteKeys(sealed, keys));
    return { path: file, added, removed, written: true, keys };
  });
}
