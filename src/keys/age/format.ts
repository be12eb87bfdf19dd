/**
 * The age v1 file format (age-encryption.org/v1) with node:crypto alone: armor, the header of
 * stanzas and its MAC, and the STREAM payload. Each native recipient type (X25519, SSH, plugins)
 * only wraps and unwraps the 16-byte file key into its stanza; everything around it lives here, so
 * the strict parsing the CCTV vectors check applies to every type.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { bech32 } from "@scure/base";

const VERSION_LINE = "age-encryption.org/v1";
const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----";
const LAST_CHUNK_NONCE = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const CHUNK = 64 * 1024;
export const FILE_KEY_SIZE = 16;

/** A header stanza: `-> TYPE ARGS…` and its body. */
export interface Stanza {
  readonly type: string;
  readonly args: readonly string[];
  readonly body: Buffer;
}

export interface AgeFile {
  readonly stanzas: readonly Stanza[];
  readonly headerNoMac: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

/** Base64 without padding, as age writes stanza arguments and bodies. */
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64").replace(/=+$/, "");

/** Strict unpadded base64: null unless `text` is the canonical encoding of its bytes. */
export function unb64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) return null;
  const raw = Buffer.from(text, "base64");
  return b64(raw) === text ? raw : null;
}

export const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));

/** age's bech32: BIP 173 without its 90-character limit (`false`); null when invalid. */
export function bech32Decode(text: string): { hrp: string; bytes: Uint8Array } | null {
  const decoded = bech32.decodeUnsafe(text, false);
  const bytes = decoded !== undefined ? bech32.fromWordsUnsafe(decoded.words) : undefined;
  return decoded === undefined || bytes === undefined ? null : { hrp: decoded.prefix, bytes: Uint8Array.from(bytes) };
}

export const bech32Encode = (hrp: string, bytes: Uint8Array): string => bech32.encode(hrp, bech32.toWords(bytes), false);

export function chacha(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
}

/** null when the tag does not verify. */
export function unchacha(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < 16) return null;
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
}

/** One stanza as it appears in a header (and on a plugin's pipe): body in 64-column lines, the last one short. */
export function encodeStanza(type: string, args: readonly string[], body: Uint8Array): string {
  const text = b64(body);
  const lines: string[] = [];
  for (let i = 0; i <= text.length; i += 64) lines.push(text.slice(i, i + 64));
  return `-> ${[type, ...args].join(" ")}\n${lines.join("\n")}\n`;
}

const headerMac = (fileKey: Uint8Array, headerNoMac: string | Buffer): Buffer =>
  createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header"))
    .update(headerNoMac)
    .digest();

/** An armored age file holding `data` under `fileKey`, whose header carries `stanzas`. */
export function encryptAgeFile(stanzas: readonly Stanza[], fileKey: Uint8Array, data: Uint8Array): string {
  const headerNoMac = `${VERSION_LINE}\n${stanzas.map((s) => encodeStanza(s.type, s.args, s.body)).join("")}---`;
  const nonce = randomBytes(16);
  const payload = chacha(hkdf(fileKey, nonce, "payload"), LAST_CHUNK_NONCE, data);
  const file = Buffer.concat([Buffer.from(`${headerNoMac} ${b64(headerMac(fileKey, headerNoMac))}\n`, "latin1"), nonce, payload]);
  const lines = file.toString("base64").match(/.{1,64}/g) ?? [];
  return `${ARMOR_BEGIN}\n${lines.join("\n")}\n${ARMOR_END}\n`;
}

/** Strict armor decoding; throws on anything malformed. */
export function dearmor(armored: string): Buffer {
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

/**
 * Reads stanzas from lines: `next()` yields each line without its newline, null at the end. Shared
 * by the file header and the plugin protocol, which frame stanzas the same way.
 */
export function readStanzaAfter(first: string, next: () => string | null): Stanza {
  const args = first.split(" ");
  if (args.shift() !== "->" || args.length === 0 || args.some((a) => !/^[\x21-\x7e]+$/.test(a))) throw new Error("invalid stanza");
  const parts: Buffer[] = [];
  for (;;) {
    const b = next();
    if (b === null) throw new Error("truncated stanza");
    const raw = b.length <= 64 ? unb64(b) : null;
    if (raw === null) throw new Error("invalid stanza body");
    parts.push(raw);
    if (b.length < 64) break;
  }
  const [type, ...rest] = args as [string, ...string[]];
  return { type, args: rest, body: Buffer.concat(parts) };
}

/** Strict header parsing of a binary age file; throws on anything malformed. */
export function parseAgeFile(bytes: Uint8Array): AgeFile {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stanzas: Stanza[] = [];
  let pos = 0;
  const line = (): string | null => {
    const end = file.indexOf(0x0a, pos);
    if (end < 0) return null;
    const l = file.toString("latin1", pos, end);
    pos = end + 1;
    return l;
  };
  const must = (): string => {
    const l = line();
    if (l === null) throw new Error("truncated age header");
    return l;
  };
  if (must() !== VERSION_LINE) throw new Error("unsupported age version");
  for (;;) {
    const start = pos;
    const l = must();
    if (l.startsWith("--- ")) {
      const mac = unb64(l.slice(4));
      if (mac === null || mac.length !== 32) throw new Error("invalid header MAC encoding");
      // A passphrase (scrypt) stanza must be a file's only one.
      if (stanzas.length > 1 && stanzas.some((s) => s.type === "scrypt")) throw new Error("scrypt stanza mixed with others");
      return { stanzas, headerNoMac: file.subarray(0, start + 3), mac, payload: file.subarray(pos) };
    }
    stanzas.push(readStanzaAfter(l, must));
  }
}

/**
 * Verifies the header MAC under a recovered file key and opens the payload. `maxChunks` bounds the
 * payload (a data key fits one chunk).
 */
export function openAgeFile(file: AgeFile, fileKey: Uint8Array, maxChunks = Infinity): Buffer {
  if (fileKey.length !== FILE_KEY_SIZE) throw new Error("the file key is not 16 bytes");
  if (!headerMac(fileKey, file.headerNoMac).equals(file.mac)) throw new Error("age header MAC does not verify");
  return openPayload(fileKey, file.payload, maxChunks);
}

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
