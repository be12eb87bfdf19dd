/**
 * mv: moves an encrypted file and re-binds its `file` encryption context. KMS ReEncrypt does it
 * without the plaintext data key ever leaving KMS; where ReEncrypt is not permitted, Decrypt then
 * Encrypt. age stanzas are not path-bound and move unchanged. Values, MAC and stamps stay.
 */
import { stat, unlink } from "node:fs/promises";
import { KmsealError, UsageError } from "../core/errors.js";
import { metadataFromPlain, metadataToPlain, type KeyRecord, type KmsRecord } from "../core/metadata.js";
import { kmsError, regionOfArn } from "../keys/kms.js";
import { decryptedName, formatOf } from "../stores/file-name.js";
import { loadStore } from "../stores/registry.js";
import { readIfExists, writeAtomic } from "../platform/atomic-write.js";
import { lockPathOf, withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import type { KeyServices } from "./key-services.js";
import { checkPathBinding, expectedPath } from "./path-binding.js";

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
  const doc = (await loadStore(formatOf(src))).parse(await readInput(src));
  if (doc.metadata === null) throw new UsageError("the file is not encrypted", { file: src, hint: "use plain `git mv` for plaintext files" });
  const meta = metadataFromPlain(doc.metadata);
  checkPathBinding(meta, src, { configPath: opts.configPath });
  const newPath = expectedPath(dst, opts.configPath);
  const methods: MoveResult["methods"] = [];
  const keys: KeyRecord[] = [];
  for (const k of meta.keys) {
    if (k.type !== "kms" || k.context?.["file"] === undefined) {
      keys.push(k);
      continue;
    }
    const { record, method } = await rebind(k, { ...k.context, file: newPath }, services);
    keys.push(record);
    methods.push(method);
  }
  const out = doc.render(new Array(doc.leaves.length), metadataToPlain({ ...meta, keys }));
  const mode = (await stat(src)).mode & 0o7777;
  await writeAtomic(dst, out, { mode, forceMode: true });
  await unlink(src);
  const sibling = decryptedName(src);
  const plaintextLeft = sibling !== null && (await readIfExists(sibling)) !== null ? sibling : null;
  return { from: src, to: dst, methods, plaintextLeft };
}

async function rebind(k: KmsRecord, context: Record<string, string>, services: KeyServices): Promise<{ record: KmsRecord; method: MoveResult["methods"][number] }> {
  const sdk = await import("@aws-sdk/client-kms");
  const region = regionOfArn(k.arn);
  if (region === undefined) throw new KmsealError("key", `"${k.arn}" is not a KMS key ARN`);
  const client = await services.kms.forRegion(region);
  const blob = Buffer.from(k.enc, "base64");
  try {
    const out = await client.send(
      new sdk.ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: k.arn, SourceEncryptionContext: { ...(k.context ?? {}) }, DestinationKeyId: k.arn, DestinationEncryptionContext: context }),
    );
    if (out.CiphertextBlob === undefined) throw new KmsealError("key", `KMS ReEncrypt with ${k.arn} returned no ciphertext`);
    return { record: { ...k, context, enc: Buffer.from(out.CiphertextBlob).toString("base64") }, method: "ReEncrypt" };
  } catch (err) {
    if ((err as { name?: string }).name !== "AccessDeniedException") throw kmsError(err, k.arn, "ReEncrypt", k.context);
  }
  // ReEncrypt not permitted: the data key passes through this process once, then is wiped.
  let plain: Uint8Array | undefined;
  try {
    const dec = await client.send(new sdk.DecryptCommand({ CiphertextBlob: blob, KeyId: k.arn, EncryptionContext: { ...(k.context ?? {}) } }));
    plain = dec.Plaintext;
    const enc = await client.send(new sdk.EncryptCommand({ KeyId: k.arn, Plaintext: plain, EncryptionContext: context }));
    if (enc.CiphertextBlob === undefined) throw new KmsealError("key", `KMS Encrypt with ${k.arn} returned no ciphertext`);
    return { record: { ...k, context, enc: Buffer.from(enc.CiphertextBlob).toString("base64") }, method: "Decrypt+Encrypt" };
  } catch (err) {
    throw kmsError(err, k.arn, "Decrypt+Encrypt", k.context);
  } finally {
    plain?.fill(0);
  }
}

