/**
 * `encrypt` of a plaintext copy onto an encrypted file that changed since the copy was made (a
 * `set`, an `edit`, a merge, a teammate's commit pulled from git). Sealing the copy as it is would
 * silently put the older values back, so:
 *
 * - with a recorded base (origin.ts), the copy (ours) and the current encrypted file (theirs) are
 *   merged key by key against it with the merge driver's machinery; changes on both sides combine,
 *   a key changed differently on both sides is refused (exit 2) by name;
 * - without one, the copy is refused when the encrypted file is newer than it and holds values the
 *   copy lacks or differs in, since nothing says which side made the difference;
 * - an encrypted file that the copy was made from and that is now gone (deleted by a pull, moved by
 *   `kmseal mv`) is not silently brought back.
 *
 * `kmseal decrypt --force` (take the encrypted version) and `kmseal encrypt --force` (overwrite it)
 * are the ways out, and every refusal names them.
 */
import { stat } from "node:fs/promises";
import { KmsealError, UsageError } from "../../core/errors.js";
import { loadStore } from "../../stores/registry.js";
import type { Format } from "../../stores/store.js";
import { showKeyPath } from "../../stores/edit/key-path.js";
import { textOf } from "../../stores/edit/editor.js";
import type { KeyServices } from "../keys/services.js";
import { withOpened, type OpenedFile } from "../sealing/sealed-file.js";
import { readOrigin, sameEncrypted, stampOf, type CopyOrigin } from "./origin.js";

export interface StaleCheck {
  /** The plaintext copy being encrypted. */
  readonly file: string;
  /** The encrypted file it is sealed to. */
  readonly target: string;
  readonly input: Uint8Array;
  /** The target's current bytes, null when it does not exist. */
  readonly previous: Uint8Array | null;
  readonly format: Format;
  readonly configPath?: string | undefined;
}

export interface Guarded {
  /** What to seal: the copy itself, or the merge of it with the newer encrypted file. */
  readonly plaintext: Uint8Array;
  /** True when `plaintext` is a merge that differs from the copy (which the caller then rewrites). */
  readonly merged: boolean;
}

/** Throws (exit 2) rather than let an older copy overwrite newer values; otherwise says what to seal. */
export async function guardStaleCopy(c: StaleCheck, services: KeyServices): Promise<Guarded> {
  const asIs: Guarded = { plaintext: c.input, merged: false };
  const origin = await readOrigin(c.file, services.env);
  if (origin?.movedTo != null) {
    throw new UsageError(
      `${c.file} is the plaintext copy of ${origin.encrypted}, which kmseal mv moved to ${origin.movedTo}; encrypting it would bring the old file back`,
      { hint: `delete ${c.file} (decrypt the moved file where it is now), or recreate the old file on purpose: kmseal encrypt --force ${c.file}` },
    );
  }
  const mine = origin !== null && (await sameEncrypted(origin, c.target)) ? origin : null;
  if (c.previous === null) {
    if (mine === null) return asIs;
    throw new UsageError(
      `${c.target}, which ${c.file} was made from, no longer exists (deleted or renamed since, e.g. by a git pull or checkout); encrypting would bring it back`,
      { hint: `delete ${c.file} if that file is gone on purpose, or recreate it from this copy: kmseal encrypt --force ${c.file}` },
    );
  }
  const stamp = await stampOf(c.previous, c.format);
  // Not a sealed file: sealing replaces it, as it always has.
  if (stamp === null) return asIs;
  if (mine !== null && mine.mac === stamp.mac && mine.lastmodified === stamp.lastmodified) return asIs;
  if (mine?.ciphertext != null) {
    const merged = await threeWay(c, mine as CopyOrigin & { ciphertext: Buffer }, services);
    if (merged !== null) return merged;
  }
  return withoutBase(c, services);
}

/** null when the recorded base cannot be opened any more (its key was removed): then as without a base. */
async function threeWay(c: StaleCheck, origin: CopyOrigin & { ciphertext: Buffer }, services: KeyServices): Promise<Guarded | null> {
  let baseOpened = false;
  try {
    // The base is a former version of the target: its `file` context is checked by KMS as stored.
    return await withOpened(origin.ciphertext, c.format, {}, services, (base) => {
      baseOpened = true;
      return openTheirs(c, services, async (theirs) => {
        const [b, o, t] = [base.plaintext(), c.input, theirs.plaintext()];
        const eq = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).equals(Buffer.from(y));
        if (c.format === "binary") {
          if (eq(o, t) || eq(b, t)) return { plaintext: o, merged: false };
          if (eq(b, o)) return { plaintext: t, merged: true };
          throw refusal(c, ["(the file's content)"], "changed since this copy was made, and the copy was changed too");
        }
        const problems: string[] = [];
        // The merge code (and, through it, the YAML library) is loaded only for a stale copy.
        const { mergeText } = await import("../merge/merge.js");
        const m = await mergeText(c.format, [b, o, t], problems).catch((err: unknown) => {
          // A document the merge cannot read (several YAML documents): still a stale copy, same ways out.
          if (err instanceof KmsealError) err.hint ??= waysOut(c);
          throw err;
        });
        const keys = [...m.conflicts.map((x) => showKeyPath(x.path)), ...problems.map((p) => "(" + p.replace(/; the merged file keeps .*$/, "") + ")")];
        if (keys.length > 0) throw refusal(c, keys, "changed since this copy was made, and both changed");
        const plaintext = Buffer.from(m.text, "utf8");
        return { plaintext, merged: !eq(plaintext, o) };
      });
    });
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callback, which flow analysis does not follow
    if (!baseOpened && err instanceof KmsealError) return null;
    throw err;
  }
}

async function withoutBase(c: StaleCheck, services: KeyServices): Promise<Guarded> {
  const [plain, sealed] = await Promise.all([stat(c.file, { bigint: true }), stat(c.target, { bigint: true })]);
  if (sealed.mtimeNs <= plain.mtimeNs) return { plaintext: c.input, merged: false };
  const keys = await openTheirs(c, services, (theirs) =>
    heldOnlyThere(c.format, c.input, theirs.plaintext()).catch((err: unknown) => {
      if (err instanceof KmsealError) err.hint ??= waysOut(c);
      throw err;
    }),
  );
  if (keys.length > 0) {
    throw refusal(c, keys, "is newer than this copy and kmseal has no record of what the copy was made from; it holds values the copy lacks or differs in");
  }
  return { plaintext: c.input, merged: false };
}

/** The current encrypted file, opened to compare; when it cannot be, the error says why that matters here and what to do. */
async function openTheirs<T>(c: StaleCheck, services: KeyServices, use: (theirs: OpenedFile) => Promise<T>): Promise<T> {
  let opened = false;
  try {
    return await withOpened(c.previous!, c.format, { path: c.target, configPath: c.configPath }, services, (theirs) => {
      opened = true;
      return use(theirs);
    });
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callback, which flow analysis does not follow
    if (!opened && err instanceof KmsealError) {
      err.reason = `${c.target} changed since ${c.file} was made, and cannot be opened to compare the two: ${err.reason}`;
      err.hint = `to replace it with this copy anyway: kmseal encrypt --force ${c.file}`;
    }
    throw err;
  }
}

/** Key paths whose value `theirs` holds and `ours` lacks or holds differently; keys only ours has do not count. */
async function heldOnlyThere(format: Format, ours: Uint8Array, theirs: Uint8Array): Promise<string[]> {
  if (format === "binary") return Buffer.from(ours).equals(Buffer.from(theirs)) ? [] : ["(the file's content)"];
  const [store, { mergeView }, { mergeTrees }] = await Promise.all([loadStore(format), import("../merge/document.js"), import("../merge/tree.js")]);
  const vo = mergeView(format, store, ours.length === 0 ? "" : textOf(ours));
  const vt = mergeView(format, store, theirs.length === 0 ? "" : textOf(theirs));
  // Merging theirs into ours with ours as the base: every "set" is a value ours does not hold.
  const { changes } = mergeTrees(vo.tree, vo.tree, vt.tree);
  return changes.filter((ch) => ch.kind === "set").map((ch) => (ch.path.length === 0 ? "(the whole document)" : showKeyPath(ch.path)));
}

function refusal(c: StaleCheck, keys: readonly string[], what: string): UsageError {
  return new UsageError(`${c.target} ${what}: ${keys.join(", ")}`, { hint: waysOut(c) });
}

function waysOut(c: StaleCheck): string {
  return (
    `take the encrypted version with \`kmseal decrypt --force ${c.target}\` (this copy's edits are lost), ` +
    `or overwrite it with this copy: \`kmseal encrypt --force ${c.file}\``
  );
}
