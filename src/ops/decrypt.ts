/** Sealed file → plaintext: parse → path check → unwrap the data key → open (MAC) → emit. */
import { KmsealError, UsageError } from "../core/errors.js";
import { decryptedName, formatOf } from "../stores/file-name.js";
import type { Format } from "../stores/store.js";
import type { KeyServices } from "./keys/services.js";
import { readIfExists, writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import { outputTarget } from "./plaintext/output.js";
import { withOpened } from "./sealing/sealed-file.js";
import type { KeyRecord } from "../core/metadata.js";
import { keptPrivate, stdoutIsTarget } from "./plaintext/target.js";
import { recordOrigin } from "./plaintext/origin.js";

export interface DecryptOptions {
  readonly format?: Format | undefined;
  readonly output?: string | undefined;
  readonly inPlace?: boolean | undefined;
  readonly stdout?: boolean | undefined;
  /** Decrypt as if the file were at this project-relative path (deliberate copies). */
  readonly as?: string | undefined;
  readonly force?: boolean | undefined;
  readonly configPath?: string | undefined;
  /** The CLI: when fd 1 is the file decrypt would write (`> x.yaml`), print to it instead. */
  readonly stdoutMayBeTarget?: boolean | undefined;
}

export interface DecryptResult {
  readonly path: string | null;
  readonly bytes: Uint8Array;
  readonly written: boolean;
  /** The keys the encrypted file is sealed to. */
  readonly keys: readonly KeyRecord[];
}

export async function decryptFile(file: string, opts: DecryptOptions, services: KeyServices): Promise<DecryptResult> {
  // -i replaces the encrypted file: locked like every other rewrite of it.
  if (opts.inPlace && file !== "-") return withFileLock(file, () => decryptUnlocked(file, opts, services));
  return decryptUnlocked(file, opts, services);
}

async function decryptUnlocked(file: string, opts: DecryptOptions, services: KeyServices): Promise<DecryptResult> {
  try {
    const input = await readInput(file);
    const target = targetOf(file, opts);
    const format = opts.format ?? formatOf(file === "-" ? (opts.as ?? "") : file);
    const { bytes, keys } = await withOpened(
      input,
      format,
      { path: file === "-" ? undefined : file, as: opts.as, configPath: opts.configPath, refuseConflicts: true },
      services,
      (sealed) => ({ bytes: sealed.plaintext(), keys: sealed.meta.keys }),
    );
    if (target === null || (opts.stdoutMayBeTarget === true && target !== file && (await stdoutIsTarget(target))))
      return { path: null, bytes, written: true, keys };
    const existing = target === file ? null : await readIfExists(target);
    if (existing !== null) {
      if (existing.equals(bytes)) {
        // The same bytes behind a symbolic link: replaced below by a private file of its own.
        if (await keptPrivate(target)) {
          if (target !== file && file !== "-") await recordOrigin(target, file, input, format, services.env);
          return { path: target, bytes, written: false, keys };
        }
      } else if (!opts.force) {
        throw new UsageError(`${target} exists and differs from the decrypted content`, { hint: "pass --force to overwrite it, or -o PATH / --stdout" });
      }
    }
    await writeAtomic(target, bytes, { mode: 0o600, forceMode: true, sensitive: true });
    // What this copy was made from: the base `encrypt` merges against if the encrypted file changes.
    if (target !== file && file !== "-") await recordOrigin(target, file, input, format, services.env);
    return { path: target, bytes, written: true, keys };
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file === "-" ? "(stdin)" : file);
    throw err;
  }
}

function targetOf(file: string, opts: DecryptOptions): string | null {
  return outputTarget(file, opts, (f) => {
    const plain = decryptedName(f);
    if (plain === null) throw new UsageError("cannot derive the plaintext name: the file name has no .enc part", { hint: "pass -o PATH or --stdout" });
    return plain;
  });
}
