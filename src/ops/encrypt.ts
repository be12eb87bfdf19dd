/**
 * Plain file → sealed file: rule → keys → data key → seal → emit → one atomic write.
 * When the target already holds an encrypted version made with the same keys, its data key and the
 * ciphertext of every unchanged value are kept, so diffs show only what changed.
 * A plaintext copy older than its encrypted file is merged into it or refused (plaintext/stale.ts),
 * never sealed over newer values; `force` overwrites.
 */
import { KmsealError } from "../core/errors.js";
import { formatOf, encryptedName } from "../stores/file-name.js";
import type { Format } from "../stores/store.js";
import type { KeyChoice } from "./keys/choice.js";
import type { KeyServices } from "./keys/services.js";
import { readIfExists, writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import { outputTarget } from "./plaintext/output.js";
import { sealPlaintext, type SealPlaintextOptions } from "./sealing/sealed-file.js";
import { recordOrigin } from "./plaintext/origin.js";
import { guardStaleCopy } from "./plaintext/stale.js";

export interface EncryptOptions extends KeyChoice {
  readonly format?: Format | undefined;
  /** Extra encryption-context pairs (the `file` pair is always set by kmseal). */
  readonly context?: Readonly<Record<string, string>> | undefined;
  readonly output?: string | undefined;
  readonly inPlace?: boolean | undefined;
  readonly stdout?: boolean | undefined;
  /** The path the encrypted file will live at, for the context, when it cannot be derived (stdin). */
  readonly as?: string | undefined;
  readonly configPath?: string | undefined;
  /** Seal the plaintext as it is, even over newer values in the encrypted file (or a deleted or moved one). */
  readonly force?: boolean | undefined;
}

export interface EncryptResult {
  /** Where the encrypted file was written; null when it went to stdout. */
  readonly path: string | null;
  readonly bytes: Uint8Array;
  /** False when the target already held exactly these bytes (left untouched). */
  readonly written: boolean;
  /** The encrypted file had changed since the plaintext copy was made; both were merged and the copy rewritten to the result. */
  readonly merged: boolean;
  /** The format it was sealed in (for stdin: from --format or the target's name). */
  readonly format: Format;
}

export async function encryptFile(file: string, opts: EncryptOptions, services: KeyServices): Promise<EncryptResult> {
  const input = await readInput(file);
  const target = targetOf(file, opts);
  const contextPath = opts.as ?? target ?? (file === "-" ? undefined : encryptedName(file));
  const format = opts.format ?? formatOf(file === "-" ? (contextPath ?? "") : file);
  const plan: SealPlaintextOptions = {
    kms: opts.kms,
    age: opts.age,
    context: opts.context,
    configPath: opts.configPath,
    format,
    sealedPath: contextPath,
    rulePath: file === "-" ? contextPath : file,
  };
  try {
    if (target === null) return { path: null, bytes: await sealPlaintext(input, plan, services), written: true, merged: false, format };
    // A plaintext file beside its encrypted one is a copy that can be stale; stdin and -i are not.
    const copy = file !== "-" && target !== file ? file : null;
    // Locked from reading the old target to the rename: the old ciphertexts it reuses must be the current ones.
    return await withFileLock(target, async () => {
      const previous = await readIfExists(target);
      const guarded =
        copy !== null && opts.force !== true
          ? await guardStaleCopy({ file: copy, target, input, previous, format, configPath: opts.configPath }, services)
          : { plaintext: input, merged: false };
      const bytes = await sealPlaintext(guarded.plaintext, { ...plan, previous }, services);
      const written = previous === null || !previous.equals(bytes);
      if (written) await writeAtomic(target, bytes);
      // The copy now holds what was sealed, so it is no longer stale; private like decrypt's.
      if (guarded.merged) await writeAtomic(copy!, guarded.plaintext, { mode: 0o600, forceMode: true, sensitive: true });
      if (copy !== null) await recordOrigin(copy, target, bytes, format, services.env);
      return { path: target, bytes, written, merged: guarded.merged, format };
    });
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file === "-" ? "(stdin)" : file);
    throw err;
  }
}

function targetOf(file: string, opts: EncryptOptions): string | null {
  return outputTarget(file, opts, encryptedName);
}
