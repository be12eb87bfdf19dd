/**
 * mv: moves an encrypted file and re-binds its `file` encryption context. KMS ReEncrypt does it
 * without the plaintext data key ever leaving KMS; where ReEncrypt is not permitted, Decrypt then
 * Encrypt. age stanzas are not path-bound and move unchanged. Values, MAC and stamps stay.
 */
import { stat, unlink } from "node:fs/promises";
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

export interface MoveResult {
  readonly from: string;
  readonly to: string;
  /** How each KMS stanza was re-bound. */
  readonly methods: ("ReEncrypt" | "Decrypt+Encrypt")[];
  /** A plaintext sibling of SRC that was left where it is. */
  readonly plaintextLeft: string | null;
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
  const sealed = await parseSealed(
    await readInput(src),
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
  const sibling = decryptedName(src);
  const plaintextLeft = sibling !== null && (await readIfExists(sibling)) !== null ? sibling : null;
  return { from: src, to: dst, methods, plaintextLeft };
}
