/**
 * mv: moves an encrypted file and re-binds its `file` encryption context. KMS ReEncrypt does it
 * without the plaintext data key ever leaving KMS; where ReEncrypt is not permitted, Decrypt then
 * Encrypt. age stanzas are not path-bound and move unchanged. Values, MAC and stamps stay.
 *
 * A plaintext copy beside SRC moves along (with the record of what it was made from), so the next
 * `encrypt --all` cannot bring the old file back; when the plaintext name at DST is taken, the copy
 * stays and its record says where its encrypted file went, and `encrypt` refuses it.
 */
import { lstat, rename, stat, unlink } from "node:fs/promises";
import { UsageError } from "../core/errors.js";
import type { KeyRecord } from "../core/metadata.js";
import { rebindKms } from "../keys/kms.js";
import { decryptedName, formatOf } from "../stores/file-name.js";
import { readIfExists, writeAtomic } from "../platform/atomic-write.js";
import { lockPathOf, withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import type { KeyServices } from "./keys/services.js";
import { checkPathBinding, expectedPath } from "./sealing/path-binding.js";
import { parseSealed, rewriteKeys } from "./sealing/sealed-file.js";
import { forgetOrigin, readOrigin, recordOrigin, sameEncrypted } from "./plaintext/origin.js";
import type { Format } from "../stores/store.js";

export interface MoveResult {
  readonly from: string;
  readonly to: string;
  /** How each KMS stanza was re-bound. */
  readonly methods: ("ReEncrypt" | "Decrypt+Encrypt")[];
  /** A plaintext sibling of SRC that was left where it is (DST's plaintext name was taken); `encrypt` refuses it. */
  readonly plaintextLeft: string | null;
  /** Where the plaintext sibling of SRC was moved to, beside DST. */
  readonly plaintextMoved: string | null;
}

export async function moveFile(src: string, dst: string, opts: { configPath?: string; force?: boolean }, services: KeyServices): Promise<MoveResult> {
  // Both ends locked, always in the same order, so two moves cannot deadlock.
  const [first, second] = [src, dst].sort((a, b) => lockPathOf(a).localeCompare(lockPathOf(b))) as [string, string];
  if (lockPathOf(first) === lockPathOf(second)) return withFileLock(first, () => moveUnlocked(src, dst, opts, services));
  return withFileLock(first, () => withFileLock(second, () => moveUnlocked(src, dst, opts, services)));
}

async function moveUnlocked(src: string, dst: string, opts: { configPath?: string; force?: boolean }, services: KeyServices): Promise<MoveResult> {
  if (formatOf(src) !== formatOf(dst)) throw new UsageError(`${src} and ${dst} have different formats`, { hint: "keep the same extension" });
  if (!opts.force && (await readIfExists(dst)) !== null) throw new UsageError(`${dst} already exists`, { hint: "pass --force to replace it" });
  const srcBytes = await readInput(src);
  const sealed = await parseSealed(
    srcBytes,
    formatOf(src),
    () => new UsageError("the file is not encrypted", { file: src, hint: "use plain `git mv` for plaintext files" }),
  );
  const { meta } = sealed;
  checkPathBinding(meta, src, { configPath: opts.configPath });
  const newPath = expectedPath(dst, opts.configPath);
  const methods: MoveResult["methods"] = [];
  const keys: KeyRecord[] = [];
  for (const k of meta.keys) {
    if (k.type !== "kms" || k.context?.["file"] === undefined) {
      keys.push(k);
      continue;
    }
    const { record, method } = await rebindKms(k, { ...k.context, file: newPath }, services.kms);
    keys.push(record);
    methods.push(method);
  }
  const out = rewriteKeys(sealed, keys);
  const mode = (await stat(src)).mode & 0o7777;
  await writeAtomic(dst, out, { mode, forceMode: true });
  await unlink(src);
  const copy = await moveCopy({ src, dst, srcBytes, dstBytes: out, format: formatOf(src), meta }, services.env);
  return { from: src, to: dst, methods, ...copy };
}

interface Moved {
  readonly src: string;
  readonly dst: string;
  readonly srcBytes: Uint8Array;
  readonly dstBytes: Uint8Array;
  readonly format: Format;
  readonly meta: { readonly mac: string; readonly lastmodified: string };
}

async function moveCopy(m: Moved, env: KeyServices["env"]): Promise<Pick<MoveResult, "plaintextLeft" | "plaintextMoved">> {
  const { src, dst, srcBytes, dstBytes, format } = m;
  const sibling = decryptedName(src);
  if (sibling === null || (await readIfExists(sibling)) === null) return { plaintextLeft: null, plaintextMoved: null };
  const origin = await readOrigin(sibling, env);
  const own = origin !== null && (await sameEncrypted(origin, src)) ? origin : null;
  const target = decryptedName(dst);
  const taken = target === null || (await lstat(target).catch(() => null)) !== null;
  if (!taken) {
    try {
      await rename(sibling, target);
    } catch {
      // another file system: the copy stays, marked below
    }
  }
  if (!taken && (await readIfExists(sibling)) === null) {
    await forgetOrigin(sibling, env);
    // A copy made from exactly SRC's values is a copy of DST (same MAC and stamp); one made from an
    // older version keeps that version as its base, so `encrypt` still merges.
    if (own !== null) {
      const fresh = own.mac === m.meta.mac && own.lastmodified === m.meta.lastmodified;
      await recordOrigin(target, dst, fresh ? dstBytes : srcBytes, format, env, fresh ? {} : { keep: own });
    }
    return { plaintextLeft: null, plaintextMoved: target };
  }
  await recordOrigin(sibling, src, own?.ciphertext ?? srcBytes, format, env, { movedTo: dst, ...(own !== null ? { keep: own } : {}) });
  return { plaintextLeft: sibling, plaintextMoved: null };
}
