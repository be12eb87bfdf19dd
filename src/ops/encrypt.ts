/**
 * Plain file → sealed file: rule → keys → data key → seal → emit → one atomic write.
 * When the target already holds an encrypted version made with the same keys, its data key and the
 * ciphertext of every unchanged value are kept, so diffs show only what changed.
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
}

export interface EncryptResult {
  /** Where the encrypted file was written; null when it went to stdout. */
  readonly path: string | null;
  readonly bytes: Uint8Array;
  /** False when the target already held exactly these bytes (left untouched). */
  readonly written: boolean;
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
    if (target === null) return { path: null, bytes: await sealPlaintext(input, plan, services), written: true };
    // Locked from reading the old target to the rename: the old ciphertexts it reuses must be the current ones.
    return await withFileLock(target, async () => {
      const previous = await readIfExists(target);
      const bytes = await sealPlaintext(input, { ...plan, previous }, services);
      if (previous !== null && previous.equals(bytes)) return { path: target, bytes, written: false };
      await writeAtomic(target, bytes);
      return { path: target, bytes, written: true };
    });
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file === "-" ? "(stdin)" : file);
    throw err;
  }
}

function targetOf(file: string, opts: EncryptOptions): string | null {
  return outputTarget(file, opts, encryptedName);
}
