/**
 * kmseal's library API. The CLI is built on these same functions.
 *
 *   import { encryptFile, decryptFile, encryptText, decryptText } from "kmseal";
 */
import { encryptFile as encryptFileOp, type EncryptOptions, type EncryptResult } from "./ops/encrypt.js";
import { decryptFile as decryptFileOp, type DecryptOptions, type DecryptResult } from "./ops/decrypt.js";
import { decryptToPlaintext, sealPlaintext } from "./ops/sealing/sealed-file.js";
import { keyServices, type KeyServices } from "./ops/keys/services.js";
import { formatOf } from "./stores/file-name.js";
import type { Format } from "./stores/store.js";

export type { EncryptOptions, EncryptResult, DecryptOptions, DecryptResult, KeyServices, Format };
export { KmsealError, FormatError, MacMismatchError, NoMatchingKeyError, InvalidValueError, ConfigError, UsageError } from "./core/errors.js";
export type { ErrorCode } from "./core/errors.js";
export { keyServices };
export { encryptedName, decryptedName, formatOf } from "./stores/file-name.js";
export { config, loadEnv } from "./env/load-env.js";
export type { ConfigOptions, LoadEnvOptions } from "./env/load-env.js";

let defaultServices: KeyServices | undefined;
function services(given?: KeyServices): KeyServices {
  return given ?? (defaultServices ??= keyServices());
}

/** Encrypts `path` to its `.enc` sibling (or as `opts` say). */
export function encryptFile(path: string, opts: EncryptOptions = {}, keys?: KeyServices): Promise<EncryptResult> {
  return encryptFileOp(path, opts, services(keys));
}

/** Decrypts an encrypted file to its plaintext sibling (or as `opts` say). */
export function decryptFile(path: string, opts: DecryptOptions = {}, keys?: KeyServices): Promise<DecryptResult> {
  return decryptFileOp(path, opts, services(keys));
}

export interface TextOptions extends Omit<EncryptOptions, "output" | "inPlace" | "stdout" | "as"> {
  /** The path the encrypted file has (or will have): its encryption context, and the format if `format` is not given. */
  readonly path?: string;
}

function formatFor(opts: { format?: Format | undefined; path?: string | undefined }): Format {
  if (opts.format !== undefined) return opts.format;
  if (opts.path !== undefined) return formatOf(opts.path);
  throw new TypeError("pass `format` or `path`");
}

/** Encrypts a document given as text; returns the encrypted document. */
export async function encryptText(text: string, opts: TextOptions, keys?: KeyServices): Promise<string> {
  const format = formatFor(opts);
  const plan = { kms: opts.kms, age: opts.age, context: opts.context, configPath: opts.configPath, format, sealedPath: opts.path, rulePath: opts.path };
  const out = await sealPlaintext(Buffer.from(text, "utf8"), plan, services(keys));
  return Buffer.from(out).toString("utf8");
}

/** Decrypts an encrypted document given as text; `path` (if given) is checked against its `file` context. */
export async function decryptText(text: string, opts: { format?: Format; path?: string; as?: string } = {}, keys?: KeyServices): Promise<string> {
  const format = formatFor(opts);
  const plain = await decryptToPlaintext(Buffer.from(text, "utf8"), format, { path: opts.path, as: opts.as, refuseConflicts: true }, services(keys));
  return Buffer.from(plain).toString("utf8");
}
