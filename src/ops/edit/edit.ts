/**
 * `kmseal edit FILE`: decrypt into a private workspace, run the user's editor, and re-seal what was
 * saved under the same data key, so only changed values get new ciphertext. A save without changes
 * leaves the file untouched; invalid content goes back to the editor with the error on top (or aborts);
 * a missing FILE starts from an empty document and is encrypted with its rule's keys.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { FormatError, KmsealError, UsageError } from "../../core/errors.js";
import { decryptedName, formatOf } from "../../stores/file-name.js";
import type { Format } from "../../stores/store.js";
import { readIfExists, writeAtomic } from "../../platform/atomic-write.js";
import { withFileLock } from "../../platform/lock.js";
import { editorCommand, startEditor, type RunningEditor } from "./editor.js";
import { openWorkspace } from "./workspace.js";
import { checkNewFileName } from "./new-file.js";
import type { KeyChoice } from "../keys/choice.js";
import type { KeyServices } from "../keys/services.js";
import { sealPlaintext, withOpened, type OpenedFile } from "../sealing/sealed-file.js";
import { checkProjectRule, projectReseal } from "../sealing/project-setting.js";
import { conflictRecord, hasConflictMarkers } from "../../core/conflict.js";
import { loadStore } from "../../stores/registry.js";

export interface EditOptions extends KeyChoice {
  readonly format?: Format | undefined;
  readonly configPath?: string | undefined;
  /** Re-open the editor on invalid content (needs a person at a terminal); otherwise abort. */
  readonly retry: boolean;
  /** Whether Ctrl-C at a terminal reaches the editor too (then kmseal leaves SIGINT to it). */
  readonly interactive: boolean;
  /** Where JSON parse errors are shown before the editor re-opens (JSON has no comments). */
  readonly report?: (message: string) => void;
}

export interface EditResult {
  readonly path: string;
  readonly written: boolean;
  readonly created: boolean;
}

/** What a new file starts as: an empty document of its format. */
const EMPTY: Record<Format, string> = { yaml: "", json: "{}\n", dotenv: "", binary: "" };
const NOTE = "# kmseal: ";
const NOTES = /^(# kmseal: [^\n]*\n)+/;

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

export async function editFile(file: string, opts: EditOptions, services: KeyServices): Promise<EditResult> {
  if (file === "-") throw new UsageError("edit needs a file, not stdin");
  const format = opts.format ?? formatOf(file);
  try {
    const input = await readIfExists(file);
    if (input === null) checkNewFileName(file);
    await checkWritable(dirname(file));
    if (input === null) return await editIn(file, format, input, null, opts, services);
    return await withOpened(input, format, { path: file, configPath: opts.configPath }, services, (opened) => {
      // Refused before the editor opens, so nothing typed is lost to a write that must fail.
      checkProjectRule(file, opened, opts.configPath);
      return editIn(file, format, input, opened, opts, services);
    });
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file);
    throw err;
  }
}

/** The editor rounds, with the file opened (its data key live) or null for a new file. */
async function editIn(
  file: string,
  format: Format,
  input: Buffer | null,
  opened: OpenedFile | null,
  opts: EditOptions,
  services: KeyServices,
): Promise<EditResult> {
  const original = opened !== null ? opened.plaintext() : Buffer.from(EMPTY[format]);
  const command = editorCommand(services.env);
  let editor: RunningEditor | null = null;
  const space = openWorkspace(basename(decryptedName(file) ?? file), original, {
    env: services.env,
    interruptGoesToEditor: () => editor !== null && opts.interactive,
    onSignal: (signal) => editor?.child.kill(signal === "SIGINT" ? "SIGTERM" : signal),
  });
  try {
    let shown: Uint8Array = original;
    for (;;) {
      editor = startEditor(command, space.file, services.env);
      await editor.done.catch((err: unknown) => {
        throw err instanceof UsageError ? new UsageError(`${err.reason}; nothing was changed`) : err;
      });
      editor = null;
      const saved = readSaved(space.file);
      const content = format === "json" || format === "binary" ? saved : stripNotes(saved);
      const conflicted = opened !== null && conflictRecord(opened.meta) !== undefined;
      const marked = await holdsMarkers(content, format);
      // Saving a conflicted file without markers is what resolves it, even when nothing else changed.
      if (sha256(content) === sha256(original) && (!conflicted || marked)) return { path: file, written: false, created: false };
      let bytes: Uint8Array;
      try {
        bytes =
          opened !== null
            ? (await projectReseal(file, content, opened, { configPath: opts.configPath, conflict: conflicted && !marked ? null : undefined })).bytes
            : await sealPlaintext(
                content,
                { format, kms: opts.kms, age: opts.age, configPath: opts.configPath, sealedPath: file, rulePath: decryptedName(file) ?? file },
                services,
              );
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        // A second save of the same invalid text (or no person to fix it): give up, change nothing.
        if (!opts.retry || sha256(saved) === sha256(shown))
          throw new FormatError(`${err.reason}; nothing was changed`, { line: err.line, column: err.column }, { hint: err.hint });
        shown = annotate(content, err, format, opts.report ?? services.notice);
        space.write(shown);
        continue;
      }
      if (input !== null && input.equals(bytes)) return { path: file, written: false, created: false };
      await writeBack(file, input, bytes);
      if (marked) services.notice(`${file}: values still hold merge conflict markers; it stays marked as conflicted until they are gone`);
      return { path: file, written: true, created: input === null };
    }
  } finally {
    space.remove();
  }
}

/** Locked, and only over the version that was opened: a set or edit made meanwhile is never silently overwritten. */
async function writeBack(file: string, opened: Buffer | null, bytes: Uint8Array): Promise<void> {
  await withFileLock(file, async () => {
    const now = await readIfExists(file);
    const same = now === null || opened === null ? now === opened : now.equals(opened);
    if (!same)
      throw new UsageError(`${file} was changed by another command while it was being edited; this edit was not saved`, {
        hint: "run kmseal edit again to edit the new version",
      });
    await writeAtomic(file, bytes);
  });
}

/** Checked before the editor opens, so what the user types is not lost to a write that must fail. */
async function checkWritable(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new UsageError(`the folder ${dir} does not exist`, { hint: "create it first" });
  await access(dir, constants.W_OK).catch(() => {
    throw new UsageError(`the folder ${dir} is not writable, so the file could not be saved`);
  });
}

/** Whether a saved plaintext still holds conflict markers in a value (an unparsable one is left to the reseal to report). */
async function holdsMarkers(content: Uint8Array, format: Format): Promise<boolean> {
  if (format === "binary") return false;
  try {
    const leaves = (await loadStore(format)).parse(content).leaves;
    return leaves.some((l) => l.kind === "value" && l.value.type === "str" && hasConflictMarkers(Buffer.from(l.value.bytes).toString("utf8")));
  } catch (err) {
    if (err instanceof KmsealError) return true;
    throw err;
  }
}

function readSaved(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new UsageError("the editor left no file to read back; nothing was changed");
  }
}

function stripNotes(saved: Buffer): Buffer {
  const head = saved.subarray(0, 4096).toString("latin1");
  const m = NOTES.exec(head);
  return m === null ? saved : saved.subarray(m[0].length);
}

/** The text shown on the next round: the error on top as comments, or (JSON) reported aside. */
function annotate(content: Uint8Array, err: FormatError, format: Format, report: (m: string) => void): Uint8Array {
  const where = (shift: number) => (err.line !== undefined ? ` (line ${err.line + shift}, column ${err.column ?? 1})` : "");
  if (format === "json") {
    report(`the file is not valid JSON${where(0)}: ${err.reason}; fix it in the editor, or quit without saving to abort`);
    return content;
  }
  const notes = [
    `${NOTE}not valid ${format}${where(2)}: ${err.reason.replaceAll("\n", " ")}`,
    `${NOTE}fix it and save, or quit without saving to abort; lines starting "${NOTE.trim()}" are removed`,
  ];
  return Buffer.concat([Buffer.from(notes.join("\n") + "\n"), content]);
}
