/**
 * `kmseal set` and `unset`: open the file, change one value in the decrypted text in memory, re-seal
 * under the same data key (every other value keeps its ciphertext), write once. Plaintext never
 * touches the disk, and a file whose content would not change is not written at all.
 */
import { KmsealError } from "../core/errors.js";
import { formatOf } from "../stores/file-name.js";
import type { Format } from "../stores/store.js";
import { writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import type { KeyServices } from "./keys/services.js";
import { showKeyPath, type KeyPath } from "../stores/edit/key-path.js";
import { checkEditable, textOf, type EditOutcome, type PlaintextEditor } from "../stores/edit/editor.js";
import type { Typed } from "../stores/edit/typed.js";
import { loadEditor, type TextFormat } from "../stores/registry.js";
import { withOpened } from "./sealing/sealed-file.js";
import { projectReseal } from "./sealing/project-setting.js";

export interface SetOptions {
  readonly format?: Format | undefined;
  readonly configPath?: string | undefined;
  /** unset: a missing key is not an error. */
  readonly idempotent?: boolean | undefined;
}

export interface SetResult {
  readonly path: string;
  /** False when the file already had this content and was left untouched. */
  readonly written: boolean;
  /** unset only: false when there was nothing to remove (with --idempotent). */
  readonly found: boolean;
}

export function setValue(file: string, path: KeyPath, value: Typed, opts: SetOptions, services: KeyServices): Promise<SetResult> {
  return change(file, path, opts, services, (editor, text) => editor.set(text, path, value));
}

export function unsetValue(file: string, path: KeyPath, opts: SetOptions, services: KeyServices): Promise<SetResult> {
  return change(file, path, opts, services, (editor, text) => editor.unset(text, path));
}

async function change(
  file: string,
  path: KeyPath,
  opts: SetOptions,
  services: KeyServices,
  edit: (editor: PlaintextEditor, text: string) => EditOutcome | null,
): Promise<SetResult> {
  // Locked from the read to the rename, so concurrent sets each start from the other's result.
  return withFileLock(file, () => changeUnlocked(file, path, opts, services, edit));
}

async function changeUnlocked(
  file: string,
  path: KeyPath,
  opts: SetOptions,
  services: KeyServices,
  edit: (editor: PlaintextEditor, text: string) => EditOutcome | null,
): Promise<SetResult> {
  try {
    const format = opts.format ?? formatOf(file);
    checkEditable(format, path);
    const input = await readInput(file);
    return await withOpened(input, format, { path: file, configPath: opts.configPath }, services, async (opened) => {
      const text = textOf(opened.plaintext());
      const outcome = edit(await loadEditor(format as TextFormat), text);
      if (outcome === null) {
        if (opts.idempotent) return { path: file, written: false, found: false };
        throw new KmsealError("usage", "no such key", { keyPath: showKeyPath(path), hint: "pass --idempotent to accept a key that is already gone" });
      }
      if (!outcome.changed) return { path: file, written: false, found: true };
      const { bytes } = await projectReseal(file, Buffer.from(outcome.text, "utf8"), opened, { keepVersion: true, configPath: opts.configPath });
      if (input.equals(bytes)) return { path: file, written: false, found: true };
      await writeAtomic(file, bytes);
      return { path: file, written: true, found: true };
    });
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file);
    throw err;
  }
}
