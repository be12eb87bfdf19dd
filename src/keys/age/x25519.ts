/**
 * The native age X25519 path (age-encryption.org/v1): wrap and unwrap a data key for `age1…`
 * recipients and `AGE-SECRET-KEY-1…` identities with node:crypto alone. The `age-encryption`
 * package stays the path for every other recipient type; loading it costs more start-up time than
 * decrypting a whole .env file, and X25519 is what nearly every team uses.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { bech32 } from "@scure/base";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const VERSION_LINE = "age-encryption.org/v1";
const STANZA_LABEL = "age-encryption.org/v1/X25519";
const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----";
const ZERO_NONCE = Buffer.alloc(12);
const LAST_CHUNK_NONCE = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

interface NativeIdentity {
  readonly key: KeyObject;
  readonly publicKey: Buffer;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64").replace(/=+$/, "");
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) => Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));

/** age's bech32: BIP 173 without its 90-character limit (`false`); null when invalid. */
export function bech32Decode(text: string): { hrp: string; bytes: Uint8Array } | null {
  const decoded = bech32.decodeUnsafe(text, false);
  const bytes = decoded !== undefined ? bech32.fromWordsUnsafe(decoded.words) : undefined;
  return decoded === undefined || bytes === undefined ? null : { hrp: decoded.prefix, bytes: Uint8Array.from(bytes) };
}

const bech32Encode = (hrp: string, bytes: Uint8Array): string => bech32.encode(hrp, bech32.toWords(bytes), false);

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

function chacha(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
}

/** null when the tag does not verify. */
function unchacha(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < 16) return null;
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
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
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, d.bytes]), format: "der", type: "pkcs8" });
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

/** An armored age file holding `data` for one X25519 recipient (32-byte public key). */
export function x25519Encrypt(recipientKey: Uint8Array, data: Uint8Array): string {
  const fileKey = randomBytes(16);
  const eph = generateKeyPairSync("x25519");
  const share = rawPublic(eph.publicKey);
  const wrapKey = hkdf(sharedSecret(eph.privateKey, recipientKey), Buffer.concat([share, recipientKey]), STANZA_LABEL);
  const body = chacha(wrapKey, ZERO_NONCE, fileKey);
  const headerNoMac = `${VERSION_LINE}\n-> X25519 ${b64(share)}\n${b64(body)}\n---`;
  const mac = createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header"))
    .update(headerNoMac)
    .digest();
  const nonce = randomBytes(16);
  const payload = chacha(hkdf(fileKey, nonce, "payload"), LAST_CHUNK_NONCE, data);
  const file = Buffer.concat([Buffer.from(`${headerNoMac} ${b64(mac)}\n`, "latin1"), nonce, payload]);
  const lines = file.toString("base64").match(/.{1,64}/g) ?? [];
  return `${ARMOR_BEGIN}\n${lines.join("\n")}\n${ARMOR_END}\n`;
}

interface Parsed {
  readonly stanzas: { args: string[]; body: Buffer }[];
  readonly headerNoMac: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

/** Strict armor decoding; throws on anything malformed. */
function dearmor(armored: string): Buffer {
  const text = armored.replace(/\r\n/g, "\n").trim();
  const lines = text.split("\n");
  if (lines[0] !== ARMOR_BEGIN || lines[lines.length - 1] !== ARMOR_END) throw new Error("not an armored age file");
  const body = lines.slice(1, -1);
  for (const [i, l] of body.entries()) {
    if (l.length > 64 || (i < body.length - 1 && l.length !== 64) || !/^[A-Za-z0-9+/]*={0,2}$/.test(l)) throw new Error("invalid armor line");
  }
  if (body.length === 0 || body[body.length - 1] === "") throw new Error("invalid armor line");
  const joined = body.join("");
  if (joined.length % 4 !== 0) throw new Error("invalid armor padding");
  const file = Buffer.from(joined, "base64");
  if (file.toString("base64") !== joined) throw new Error("non-canonical armor");
  return file;
}

/** Strict header parsing of a binary age file; throws on anything malformed. */
function parseFile(file: Buffer): Parsed {
  const stanzas: Parsed["stanzas"] = [];
  let pos = 0;
  const line = (): string => {
    const end = file.indexOf(0x0a, pos);
    if (end < 0) throw new Error("truncated age header");
    const l = file.toString("latin1", pos, end);
    pos = end + 1;
    return l;
  };
  if (line() !== VERSION_LINE) throw new Error("unsupported age version");
  for (;;) {
    const start = pos;
    const l = line();
    if (l.startsWith("--- ")) {
      const mac = Buffer.from(l.slice(4), "base64");
      if (mac.length !== 32 || b64(mac) !== l.slice(4)) throw new Error("invalid header MAC encoding");
      return { stanzas, headerNoMac: file.subarray(0, start + 3), mac, payload: file.subarray(pos) };
    }
    const args = l.split(" ");
    if (args.shift() !== "->" || args.length === 0 || args.some((a) => !/^[\x21-\x7e]+$/.test(a))) throw new Error("invalid stanza");
    const parts: Buffer[] = [];
    for (;;) {
      const b = line();
      if (b.length > 64 || !/^[A-Za-z0-9+/]*$/.test(b)) throw new Error("invalid stanza body");
      const raw = Buffer.from(b, "base64");
      if (b64(raw) !== b) throw new Error("non-canonical stanza body");
      parts.push(raw);
      if (b.length < 64) break;
    }
    stanzas.push({ args, body: Buffer.concat(parts) });
  }
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
  const file = parseFile(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  // A passphrase (scrypt) stanza must be a file's only one.
  if (file.stanzas.length > 1 && file.stanzas.some((s) => s.args[0] === "scrypt")) throw new Error("scrypt stanza mixed with others");
  for (const s of file.stanzas) {
    if (s.args[0] !== "X25519") continue;
    if (s.args.length !== 2 || s.body.length !== 32) throw new Error("invalid X25519 stanza");
    const share = Buffer.from(s.args[1]!, "base64");
    if (share.length !== 32 || b64(share) !== s.args[1]) throw new Error("invalid X25519 stanza");
    for (const id of identities) {
      const wrapKey = hkdf(sharedSecret(id.key, share), Buffer.concat([share, id.publicKey]), STANZA_LABEL);
      const fileKey = unchacha(wrapKey, ZERO_NONCE, s.body);
      if (fileKey === null) continue;
      const mac = createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header"))
        .update(file.headerNoMac)
        .digest();
      if (!mac.equals(file.mac)) throw new Error("age header MAC does not verify");
      return openPayload(fileKey, file.payload, opts.maxChunks ?? Infinity);
    }
  }
  return null;
}

const CHUNK = 64 * 1024;

/** age's STREAM: 64 KiB chunks, each sealed with a counter nonce whose last byte flags the final chunk. */
function openPayload(fileKey: Uint8Array, payload: Buffer, maxChunks: number): Buffer {
  if (payload.length < 16 + 16) throw new Error("unexpected age payload size");
  const key = hkdf(fileKey, payload.subarray(0, 16), "payload");
  const sealed = payload.subarray(16);
  const out: Buffer[] = [];
  for (let i = 0, pos = 0; ; i++) {
    if (i >= maxChunks) throw new Error("unexpected age payload size");
    const end = Math.min(pos + CHUNK + 16, sealed.length);
    const last = end === sealed.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(i, 5, 6);
    nonce[11] = last ? 1 : 0;
    const chunk = unchacha(key, nonce, sealed.subarray(pos, end));
    if (chunk === null) throw new Error("age payload does not authenticate");
    if (last && chunk.length === 0 && i > 0) throw new Error("empty final chunk after a full one");
    out.push(chunk);
    if (last) return Buffer.concat(out);
    pos = end;
  }
}
