/**
 * The native age X25519 path (age-encryption.org/v1): wrap and unwrap a data key for `age1…`
 * recipients and `AGE-SECRET-KEY-1…` identities with node:crypto alone. The `age-encryption`
 * package stays the path for every other recipient type; loading it costs more start-up time than
 * decrypting a whole .env file, and X25519 is what nearly every team uses.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { b64, bech32Decode, bech32Encode, chacha, encryptAgeFile, hkdf, openAgeFile, parseAgeFile, dearmor, unb64, unchacha, type AgeFile } from "./format.js";

export { bech32Decode } from "./format.js";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const STANZA_LABEL = "age-encryption.org/v1/X25519";
const ZERO_NONCE = Buffer.alloc(12);

export interface NativeIdentity {
  readonly key: KeyObject;
  readonly publicKey: Buffer;
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: "der", type: "spki" });
}

function rawPublic(key: KeyObject): Buffer {
  return (key.export({ format: "der", type: "spki" }) as Buffer).subarray(SPKI_X25519.length);
}

function sharedSecret(privateKey: KeyObject, publicRaw: Uint8Array): Buffer {
  const secret = diffieHellman({ privateKey, publicKey: publicKeyObject(publicRaw) });
  if (secret.every((b) => b === 0)) throw new Error("X25519 share is a low-order point");
  return secret;
}

/** The 32-byte public key of an `age1…` X25519 recipient, or null for any other kind. */
export function x25519RecipientKey(recipient: string): Uint8Array | null {
  const d = bech32Decode(recipient);
  return d !== null && d.hrp === "age" && d.bytes.length === 32 ? d.bytes : null;
}

/** An `AGE-SECRET-KEY-1…` identity as a key object, or null for any other kind. */
export function x25519Identity(identity: string): NativeIdentity | null {
  const d = bech32Decode(identity);
  if (d === null || d.hrp !== "age-secret-key-" || d.bytes.length !== 32) return null;
  const key = x25519PrivateKey(d.bytes);
  return { key, publicKey: rawPublic(createPublicKey(key)) };
}

export function x25519RecipientOf(identity: string): string | null {
  const id = x25519Identity(identity);
  return id === null ? null : bech32Encode("age", id.publicKey);
}

export function generateX25519Identity(): string {
  const { privateKey } = generateKeyPairSync("x25519");
  const scalar = (privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).subarray(PKCS8_X25519.length);
  return bech32Encode("age-secret-key-", scalar).toUpperCase();
}

/** Raw X25519: a private key object from a 32-byte scalar (clamped by X25519 itself). */
export function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: "der", type: "pkcs8" });
}

/** X25519(scalar, point); throws for an all-zero (low-order) result. */
export function x25519(privateKey: KeyObject, publicRaw: Uint8Array): Buffer {
  return sharedSecret(privateKey, publicRaw);
}

export function x25519PublicOf(privateKey: KeyObject): Buffer {
  return rawPublic(createPublicKey(privateKey));
}

/** A fresh ephemeral key pair: the private key object and the 32-byte share. */
export function x25519Ephemeral(): { privateKey: KeyObject; share: Buffer } {
  const eph = generateKeyPairSync("x25519");
  return { privateKey: eph.privateKey, share: rawPublic(eph.publicKey) };
}

/** The X25519 stanza wrapping `fileKey` for a 32-byte public key. */
export function x25519Wrap(recipientKey: Uint8Array, fileKey: Uint8Array): { type: string; args: string[]; body: Buffer } {
  const { privateKey, share } = x25519Ephemeral();
  const wrapKey = hkdf(sharedSecret(privateKey, recipientKey), Buffer.concat([share, recipientKey]), STANZA_LABEL);
  return { type: "X25519", args: [b64(share)], body: chacha(wrapKey, ZERO_NONCE, fileKey) };
}

/** An armored age file holding `data` for one X25519 recipient (32-byte public key). */
export function x25519Encrypt(recipientKey: Uint8Array, data: Uint8Array): string {
  const fileKey = randomBytes(16);
  return encryptAgeFile([x25519Wrap(recipientKey, fileKey)], fileKey, data);
}

/**
 * Decrypts an armored age file with X25519 identities. null: no X25519 stanza is for these
 * identities (another key type may still open it). Throws when the file is malformed or a matching
 * stanza's file fails to authenticate.
 */
export function x25519Decrypt(identities: readonly NativeIdentity[], armored: string): Buffer | null {
  return x25519DecryptFile(identities, dearmor(armored), { maxChunks: 1 });
}

/** `x25519Decrypt` for a binary age file; `maxChunks` bounds the payload (a data key fits one chunk). */
export function x25519DecryptFile(identities: readonly NativeIdentity[], bytes: Uint8Array, opts: { maxChunks?: number } = {}): Buffer | null {
  const file = parseAgeFile(bytes);
  const fileKey = x25519Unwrap(identities, file);
  return fileKey === null ? null : openAgeFile(file, fileKey, opts.maxChunks ?? Infinity);
}

/** The file key from the first X25519 stanza one of `identities` opens; null when none does. */
export function x25519Unwrap(identities: readonly NativeIdentity[], file: AgeFile): Buffer | null {
  for (const s of file.stanzas) {
    if (s.type !== "X25519") continue;
    const share = s.args.length === 1 ? unb64(s.args[0]!) : null;
    if (share === null || share.length !== 32 || s.body.length !== 32) throw new Error("invalid X25519 stanza");
    for (const id of identities) {
      const wrapKey = hkdf(sharedSecret(id.key, share), Buffer.concat([share, id.publicKey]), STANZA_LABEL);
      const fileKey = unchacha(wrapKey, ZERO_NONCE, s.body);
      if (fileKey !== null) return fileKey;
    }
  }
  return null;
}
