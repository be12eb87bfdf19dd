/**
 * The format-independent view of a document that the crypto core works on.
 *
 * Stores do not hand the core a nested tree: they hand it the ordered list of leaves (values and
 * comments) in depth-first document order, each with its key path. That is all sops's AAD and MAC
 * rules depend on, and it lets a store keep the original text and replace leaves in place.
 */

/** The sops `type:` of an encrypted value, plus `null` for values that are never encrypted. */
export type ValueType = "str" | "int" | "float" | "bool" | "comment" | "null";

/**
 * A leaf value. `bytes` is the plaintext exactly as it is (or would be) encrypted:
 * - str: the UTF-8 bytes (raw bytes for the binary store);
 * - int: decimal digits with optional sign, as Go's strconv.Atoi reads them;
 * - float: text that Go's strconv.ParseFloat reads (the original spelling is kept where it can be,
 *   so decrypt restores it; the MAC hashes the canonical form);
 * - bool: a spelling Go's strconv.ParseBool reads;
 * - comment: the comment text after `#`;
 * - null: empty.
 */
export interface Scalar {
  readonly type: ValueType;
  readonly bytes: Uint8Array;
}

export interface Leaf {
  readonly kind: "value" | "comment";
  /** Keys from the document root. For a comment: the path of the collection that contains it. */
  readonly path: readonly string[];
  /** The value as found in the input. In an encrypted file, encrypted leaves are `str` holding `ENC[...]`. */
  readonly value: Scalar;
  /**
   * What sops hashes for this value when it stays unencrypted, where that differs from the value's
   * canonical bytes: a plain YAML timestamp is a string here (so it round-trips exactly) but a Go
   * time.Time to sops, hashed as its RFC 3339 MarshalText.
   */
  readonly unencryptedMac?: Uint8Array;
}

/**
 * What the core asks a store to write in a leaf's place.
 * - enc: an `ENC[...]` string (or "" for an empty value), to be written as a string in the
 *   leaf's original style where the format allows it;
 * - plain: a decrypted value, to be written natively (typed) in the leaf's style;
 * - source: the leaf's text exactly as it was written in the plaintext (`StoreDocument.source`),
 *   kept in the kmseal manifest where the native rendering would spell it differently.
 * A leaf without an edit is written as it was read.
 */
export type Edit =
  { readonly kind: "enc"; readonly text: string } | { readonly kind: "plain"; readonly value: Scalar } | { readonly kind: "source"; readonly text: string };

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

export function scalar(type: ValueType, text: string | Uint8Array): Scalar {
  return { type, bytes: typeof text === "string" ? utf8.encode(text) : text };
}

export const NULL: Scalar = { type: "null", bytes: new Uint8Array(0) };

export function scalarText(value: Scalar): string {
  return utf8Decoder.decode(value.bytes);
}

/** The key path as the AAD prefix sops uses: every key followed by `:`. */
export function aadOf(path: readonly string[]): string {
  let out = "";
  for (const key of path) out += key + ":";
  return out;
}

/** A key path for people: `db.password`, `tags`; the top level is `(top level)`. */
export function displayPath(path: readonly string[]): string {
  return path.length === 0 ? "(top level)" : path.join(".");
}
