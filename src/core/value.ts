/**
 * The value codec: one plaintext value ⇄ `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`.
 * AES-256-GCM with the data key, a 32-byte random IV and the key path as AAD, as sops v3 writes it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { InvalidValueError } from "./errors.js";
import { goAtoi, goFormatFloat, goParseBool, goParseFloat } from "./go-number.js";
import { scalar, type Scalar, type ValueType } from "./tree.js";

const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC_FORM = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
/** 1 for each character of the standard base64 alphabet, by char code (below 128). */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") BASE64_ALPHABET[c.charCodeAt(0)] = 1;
const ENCRYPTABLE: ReadonlySet<string> = new Set(["str", "int", "float", "bool", "comment"]);

export interface EncParts {
  readonly data: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly type: string;
}

export function isEncrypted(text: string): boolean {
  return text.startsWith("ENC[");
}

/** Splits an `ENC[...]` string; throws InvalidValueError when it is not one sops would read. */
export function parseEnc(text: string): EncParts {
  const m = ENC_FORM.exec(text);
  if (m === null) throw new InvalidValueError("value is not a valid ENC[AES256_GCM,...] string");
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  for (const [name, field] of [
    ["data", data],
    ["iv", iv],
    ["tag", tag],
  ] as const) {
    if (!isPaddedBase64(field)) throw new InvalidValueError(`ENC value has a malformed ${name} field (not padded standard base64)`);
  }
  const parts = { data: Buffer.from(data, "base64"), iv: Buffer.from(iv, "base64"), tag: Buffer.from(tag, "base64"), type };
  if (parts.tag.length !== TAG_BYTES) throw new InvalidValueError(`ENC value has a ${parts.tag.length}-byte tag, expected ${TAG_BYTES}`);
  if (parts.iv.length === 0) throw new InvalidValueError("ENC value has an empty IV");
  return parts;
}

/**
 * Padded standard base64. A table lookup per character, not a regex: a repeated group runs V8 out
 * of stack on values of tens of megabytes (a large binary file is one value), and even the plain
 * character class took 40% of the CPU of decrypting a 20 MiB binary file (150 ms for its 27 MB
 * of base64; this loop takes about 50 ms).
 */
function isPaddedBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const body = s.endsWith("==") ? s.length - 2 : s.endsWith("=") ? s.length - 1 : s.length;
  for (let i = 0; i < body; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || BASE64_ALPHABET[c] === 0) return false;
  }
  return true;
}

// IVs come from a pool filled by one CSPRNG call per 256 values: one syscall per value dominated
// encryption time for large files. Every IV is still fresh random bytes and never handed out twice.
const IV_POOL_SIZE = IV_BYTES * 256;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_SIZE);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/**
 * Encrypts one value. Empty values are never encrypted (sops writes them as ""). `iv` is only passed
 * by known-answer tests.
 */
export function encryptValue(value: Scalar, aad: string, dataKey: Uint8Array, iv?: Uint8Array): string {
  return encryptTyped(value, value.type, aad, dataKey, iv);
}

/**
 * A timestamp's RFC 3339 text under sops's `type:time`, as sops 3.13 writes a YAML timestamp: sops
 * then decrypts it to a time again. kmseal reads `time` as text (its manifest keeps the spelling).
 */
export function encryptTime(text: Uint8Array, aad: string, dataKey: Uint8Array): string {
  return encryptTyped({ type: "str", bytes: text }, "time", aad, dataKey);
}

function encryptTyped(value: Scalar, typeName: string, aad: string, dataKey: Uint8Array, iv?: Uint8Array): string {
  if (value.bytes.length === 0) return "";
  if (!ENCRYPTABLE.has(value.type)) throw new TypeError(`cannot encrypt a ${value.type} value`);
  const nonce = iv ?? freshIv();
  const cipher = createCipheriv("aes-256-gcm", dataKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([cipher.update(value.bytes), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${Buffer.from(nonce).toString("base64")},tag:${tag.toString("base64")},type:${typeName}]`;
}

/** Decrypts one `ENC[...]` string under its key path. "" decrypts to an empty string. */
export function decryptValue(text: string, aad: string, dataKey: Uint8Array): Scalar {
  if (text === "") return scalar("str", "");
  const parts = parseEnc(text);
  const type = normaliseType(parts.type);
  const decipher = createDecipheriv("aes-256-gcm", dataKey, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(parts.tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(parts.data), decipher.final()]);
  } catch {
    throw new InvalidValueError("value does not authenticate: it was altered, moved from another key, or sealed with another data key");
  }
  const value = scalar(type, plain);
  canonicalBytes(value); // validates that the plaintext parses as its declared type
  return value;
}

function normaliseType(type: string): ValueType {
  if (ENCRYPTABLE.has(type)) return type as ValueType;
  // Raw bytes (which sops reads but never writes) and a Go time.Time's RFC 3339 text.
  if (type === "bytes" || type === "time") return "str";
  throw new InvalidValueError(`ENC value has unknown type "${type}"`);
}

const TRUE_BYTES = Buffer.from("True");
const FALSE_BYTES = Buffer.from("False");

/**
 * The bytes sops hashes for a leaf: its ToBytes of the value after parsing it as its type
 * (so an int is re-formatted by Atoi, a float by FormatFloat, a bool becomes True/False).
 */
export function canonicalBytes(value: Scalar): Uint8Array {
  switch (value.type) {
    case "str":
    case "comment":
      return value.bytes;
    case "null":
      return new Uint8Array(0);
    case "int": {
      const n = goAtoi(Buffer.from(value.bytes).toString("utf8"));
      if (n === null) throw new InvalidValueError("int value is not a decimal 64-bit integer");
      return Buffer.from(n.toString());
    }
    case "float": {
      const f = goParseFloat(Buffer.from(value.bytes).toString("utf8"));
      if (f === null) throw new InvalidValueError("float value is not a number");
      return Buffer.from(goFormatFloat(f));
    }
    case "bool": {
      const b = goParseBool(Buffer.from(value.bytes).toString("utf8"));
      if (b === null) throw new InvalidValueError("bool value is not true or false");
      return b ? TRUE_BYTES : FALSE_BYTES;
    }
  }
}
