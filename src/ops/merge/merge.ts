/**
 * `kmseal merge BASE OURS THEIRS PATH`: git's merge driver for encrypted files (%O %A %B %P).
 *
 * The three versions are decrypted in memory (git hands them over as temporary files, so the `file`
 * context is not checked against their names: KMS itself still enforces the context stored in each
 * file), merged key by key (merge-tree.ts), re-sealed under ours' data key (merge-keys.ts says when
 * theirs' is kept instead) so every unchanged value keeps its exact ciphertext, and written to OURS,
 * which is the file git takes as the result.
 *
 * Conflicts. Plaintext is never written to disk, so git's usual plaintext markers in the work tree
 * are out. Instead each conflicting value is replaced by a string holding both versions between
 * `<<<<<<< ours`, `=======` and `>>>>>>> theirs` lines, and that string is encrypted like any value.
 * The result is a valid encrypted file in which everything that merged cleanly is merged; the
 * command exits 1 so git marks the file as conflicted and the merge (or rebase) stops, and stderr
 * names each conflicting key path, never a value. `git diff` (with the textconv driver) and
 * `kmseal edit` show the markers; the user resolves them in `kmseal edit` (or with `kmseal set`)
 * and runs `git add`. Conflicts that have no value to mark (binary files, a changed top-level
 * value, comments or key lists changed on both sides) leave ours' version and are reported the same
 * way. Every conflict is also recorded in the sops block (`kmseal_conflict`, core/conflict.ts), where
 * `kmseal check` sees it without a key and decrypt, exec and the loader refuse the file until
 * `kmseal edit` resolves it. A crypt-rule change between the versions is a conflict; the result is
 * sealed under the `.kmsrc` rule (sealing/project-setting.ts) and never leaves a value in cleartext
 * that any version encrypted (or nothing is written). When a version cannot be decrypted at all,
 * nothing is written: OURS stays as git wrote it.
 */
import { KmsealError, UsageError } from "../../core/errors.js";
import { formatOf } from "../../stores/file-name.js";
import { loadEditor, loadStore, type TextFormat } from "../../stores/registry.js";
import type { Format } from "../../stores/store.js";
import { writeAtomic } from "../../platform/atomic-write.js";
import { withOpened, type OpenedFile } from "../sealing/sealed-file.js";
import { projectReseal } from "../sealing/project-setting.js";
import { conflictRecord } from "../../core/conflict.js";
import { settingOf } from "../../core/crypt-setting.js";
import { readInput } from "../../platform/read-input.js";
import type { KeyServices } from "../keys/services.js";
import { showKeyPath } from "../../stores/edit/key-path.js";
import { applyChanges, mergeView } from "./document.js";
import { chooseSealing, type Side } from "./keys.js";
import { mergeTrees, type Change, type Conflict } from "./tree.js";
import { textOf } from "../../stores/edit/editor.js";
import { flowText, type Typed } from "../../stores/edit/typed.js";

export interface MergeFiles {
  /** %O: the common ancestor (empty when the file was added on both sides). */
  readonly base: string;
  /** %A: ours, and where the result goes. */
  readonly ours: string;
  /** %B: theirs. */
  readonly theirs: string;
  /** %P: the file's path in the work tree, for its format and for messages. */
  readonly path: string;
}

export type MergeOutcome =
  | { readonly kind: "merged"; readonly written: boolean }
  | { readonly kind: "conflict"; readonly keyPaths: string[]; readonly problems: string[]; readonly written: boolean }
  /** None of the versions is encrypted: the caller runs git's own text merge. */
  | { readonly kind: "plaintext" };

interface Version {
  readonly opened: OpenedFile | undefined;
  readonly plain: Uint8Array;
}

export async function mergeFiles(
  files: MergeFiles,
  services: KeyServices,
  opts: { format?: Format | undefined; configPath?: string | undefined } = {},
): Promise<MergeOutcome> {
  const format = opts.format ?? formatOf(files.path);
  const [baseBytes, oursBytes, theirsBytes] = await Promise.all([
    readInput(files.base).catch(() => Buffer.alloc(0)),
    readInput(files.ours),
    readInput(files.theirs),
  ]);
  const store = await loadStore(format);
  const sealed = [baseBytes, oursBytes, theirsBytes].map((b) => b.length > 0 && store.parse(b).metadata !== null);
  if (!sealed.some(Boolean)) return { kind: "plaintext" };
  if (!sealed[1] || !sealed[2]) {
    throw new UsageError(`${sealed[1] ? "their" : "our"} version of the file is not encrypted; kmseal will not merge plaintext into an encrypted file`, {
      hint: `encrypt it on that branch, or resolve by hand: git checkout --ours ${files.path} (or --theirs), then git add`,
    });
  }
  const named = [baseBytes, oursBytes, theirsBytes].map((bytes, i) => ({ bytes, sealed: sealed[i]!, name: ["base", "ours", "theirs"][i]! }));
  return withVersions(named, format, services, [], (versions) =>
    mergeVersions(files, format, versions as [Version, Version, Version], oursBytes, opts.configPath),
  );
}

/** Opens the versions one after the other and merges with all of them open; each data key is wiped when the merge is done. */
async function withVersions<T>(
  rest: readonly { bytes: Buffer; sealed: boolean; name: string }[],
  format: Format,
  services: KeyServices,
  open: Version[],
  use: (versions: Version[]) => Promise<T>,
): Promise<T> {
  const [next, ...after] = rest;
  if (next === undefined) return use(open);
  if (!next.sealed) return withVersions(after, format, services, [...open, { opened: undefined, plain: next.bytes }], use);
  let decrypted = false;
  try {
    // No path: no local `file` check (git's temporary names); KMS checks the stored context.
    return await withOpened(next.bytes, format, {}, services, (opened) => {
      const version = { opened, plain: opened.plaintext() };
      decrypted = true;
      return withVersions(after, format, services, [...open, version], use);
    });
  } catch (err) {
    // `decrypted` is set inside the callback, which the linter's flow analysis does not follow.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    if (!decrypted && err instanceof KmsealError) err.reason = `cannot decrypt the ${next.name} version: ${err.reason}`;
    throw err;
  }
}

async function mergeVersions(
  files: MergeFiles,
  format: Format,
  [base, ours, theirs]: [Version, Version, Version],
  oursBytes: Buffer,
  configPath: string | undefined,
): Promise<MergeOutcome> {
  const sealing = chooseSealing(base.opened, ours.opened!, theirs.opened!);
  const problems = [...sealing.problems];
  const keyPaths: string[] = [];
  let plain: Uint8Array;
  if (format === "binary") {
    plain = mergeBinary(base.plain, ours.plain, theirs.plain, problems);
  } else {
    const merged = await mergeText(format, [base.plain, ours.plain, theirs.plain], problems);
    plain = Buffer.from(merged.text, "utf8");
    keyPaths.push(...merged.conflicts.map((c) => showKeyPath(c.path)));
  }
  const conflicted = keyPaths.length > 0 || problems.length > 0;
  // An earlier conflict that was never resolved stays recorded; this merge's own is recorded anew.
  const earlier = [base, ours, theirs].map((v) => (v.opened === undefined ? undefined : conflictRecord(v.opened.meta))).find((r) => r !== undefined);
  const record = conflicted ? conflictText(keyPaths, problems) : earlier;
  const { bytes } = await projectReseal(files.path, plain, sealing.from, {
    keepVersion: true,
    configPath,
    alsoEncrypted: [base, ours, theirs].flatMap((v) => (v.opened === undefined ? [] : [settingOf(v.opened.meta)])),
    conflict: record ?? null,
  });
  const written = !oursBytes.equals(bytes);
  if (written) await writeAtomic(files.ours, bytes);
  if (conflicted) return { kind: "conflict", keyPaths, problems, written };
  return { kind: "merged", written };
}

/** The record the merged file carries in its sops block (core/conflict.ts): key paths and words, never a value. */
function conflictText(keyPaths: readonly string[], problems: readonly string[]): string {
  const what = [...(keyPaths.length > 0 ? [`values changed on both sides: ${keyPaths.join(", ")}`] : []), ...problems];
  return `unresolved merge conflict: ${what.join("; ")}`.replaceAll(/[\r\n]+/g, " ");
}

export function mergeBinary(base: Uint8Array, ours: Uint8Array, theirs: Uint8Array, problems: string[]): Uint8Array {
  const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (eq(ours, theirs) || eq(base, theirs)) return ours;
  if (eq(base, ours)) return theirs;
  problems.push("both sides changed this binary file; the merged file keeps ours");
  return ours;
}

export async function mergeText(format: TextFormat, plains: readonly Uint8Array[], problems: string[]): Promise<{ text: string; conflicts: Conflict[] }> {
  const [base, ours, theirs] = plains.map((p) => (p.length === 0 ? "" : textOf(p))) as [string, string, string];
  const [store, editor] = await Promise.all([loadStore(format), loadEditor(format)]);
  const [vb, vo, vt] = [base, ours, theirs].map((t) => mergeView(format, store, t));
  // The text edited is ours, unless only their side changed comments: then theirs, so none are lost.
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i]);
  const target: Side = !same(vt!.comments, vb!.comments) && same(vo!.comments, vb!.comments) ? "theirs" : "ours";
  if (!same(vt!.comments, vb!.comments) && !same(vo!.comments, vb!.comments) && !same(vo!.comments, vt!.comments)) {
    problems.push("comments were changed on both sides; the merged file keeps ours' comments");
  }
  const [mine, other] = target === "ours" ? [vo!, vt!] : [vt!, vo!];
  const result = mergeTrees(vb!.tree, mine.tree, other.tree);
  const conflicts = result.conflicts.map((c) => (target === "ours" ? c : { path: c.path, target: c.other, other: c.target }));
  const changes: Change[] = [...result.changes];
  for (const c of conflicts) {
    if (c.path.length === 0) problems.push("the document's top-level value was changed on both sides; the merged file keeps ours");
    else changes.push({ kind: "set", path: c.path, value: { type: "str", value: markers(c) } });
  }
  const start = target === "ours" ? ours : theirs;
  const text = applyChanges(editor, start, changes, () => (target === "ours" ? theirs : ours));
  return { text, conflicts: conflicts.filter((c) => c.path.length > 0) };
}

/** Both versions of a conflicting value, for a person to choose from in `kmseal edit`. */
export function markers(c: Conflict): string {
  const side = (label: string, v: Typed | undefined) => (v === undefined ? [`${label} (removed)`] : [label, valueText(v)]);
  const [ourHead, ...ourBody] = side("<<<<<<< ours", c.target);
  const [theirTail, ...theirBody] = side(">>>>>>> theirs", c.other);
  return [ourHead, ...ourBody, "=======", ...theirBody, theirTail].join("\n");
}

function valueText(v: Typed): string {
  const scalar = (x: Typed): string =>
    x.type === "int" || x.type === "float" ? x.text : x.type === "bool" ? String(x.value) : x.type === "str" ? x.value : "null";
  return v.type === "list" || v.type === "map" ? flowText(v, (s) => JSON.stringify(s), scalar) : scalar(v);
}
