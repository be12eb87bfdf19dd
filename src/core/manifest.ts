/**
 * The kmseal manifest: one encrypted entry in the `sops` block that authenticates what the sops
 * format leaves open. sops's MAC skips empty values and comments and does not cover the `type:`
 * tags or the crypt rule, so a file can gain `JWT_SECRET=`, a duplicate key, a changed type or a
 * looser `encrypted_regex` and still verify. The manifest records the document's structure (every
 * leaf's kind, path and type) and the rule the file was sealed with, encrypted under the data key
 * with an AAD naming the file's `mac` and `lastmodified`, so it cannot be carried over from another
 * version of the file or from another file. sops ignores the key on decrypt and drops it when it
 * rewrites a file; kmseal then reads the file as sops does and says it has no manifest.
 *
 * docs/sops-format.md ("The kmseal manifest") specifies the entry, with a test vector.
 */
import { createHash } from "node:crypto";
import { MacMismatchError } from "./errors.js";
import type { CryptRule } from "./policy.js";
import { displayPath, scalar, type Leaf, type Scalar } from "./tree.js";
import { decryptValue, encryptValue } from "./value.js";

/** The `sops` block key that holds the manifest (a key sops does not know, as sops-format.md says). */
export const MANIFEST_KEY = "kmseal_manifest";
const VERSION = 1;

/** What the manifest records, as it is serialised (JSON, keys in this order). */
export interface ManifestBody {
  readonly v: number;
  /** Number of leaves (values and comments) in document order. */
  readonly n: number;
  /** SHA-256 (base64) over every leaf's kind, key path and type: see `structureDigest`. */
  readonly s: string;
  /** The crypt rule: its field name and value, and mac_only_encrypted. */
  readonly r: readonly [kind: string, value: string, macOnlyEncrypted: boolean];
  /**
   * The leaves that are not a non-empty string value, by index: `int`, `float`, `bool`, `null`,
   * `empty` (the empty string), `comment` (a comment leaf). They let a mismatch name its key path.
   */
  readonly t: Readonly<Record<string, string>>;
  /**
   * Spellings: leaf index → the leaf's text as written in the plaintext, for each leaf whose native
   * rendering would differ (`0755`, plain `no`, escapes, folded scalars, flow quoting). Decrypt
   * writes these back; sops, which does not read the manifest, sees the canonical values.
   */
  readonly x?: Readonly<Record<string, string>>;
}

type Shape = "str" | "int" | "float" | "bool" | "null" | "empty" | "comment";

function shapeOf(kind: Leaf["kind"], value: Scalar): Shape {
  if (kind === "comment" || value.type === "comment") return "comment";
  if (value.type === "str") return value.bytes.length === 0 ? "empty" : "str";
  return value.type;
}

/**
 * The digest input per leaf: the shape, the number of path segments, then each segment's UTF-8
 * length (4 bytes, big-endian) and bytes. Length prefixes keep `a:b` + `c` apart from `a` + `b:c`.
 */
export function structureDigest(leaves: readonly Leaf[], values: readonly Scalar[]): string {
  const hash = createHash("sha256");
  const head = Buffer.alloc(4);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    hash.update(shapeOf(leaf.kind, values[i]!) + "\n");
    head.writeUInt32BE(leaf.path.length);
    hash.update(head);
    for (const key of leaf.path) {
      const bytes = Buffer.from(key, "utf8");
      head.writeUInt32BE(bytes.length);
      hash.update(head);
      hash.update(bytes);
    }
  }
  return hash.digest("base64");
}

export function manifestBody(
  leaves: readonly Leaf[],
  values: readonly Scalar[],
  rule: CryptRule,
  macOnlyEncrypted: boolean,
  spellings: Readonly<Record<string, string>> = {},
): ManifestBody {
  const t: Record<string, string> = {};
  for (let i = 0; i < leaves.length; i++) {
    const shape = shapeOf(leaves[i]!.kind, values[i]!);
    if (shape !== "str") t[String(i)] = shape;
  }
  const body: ManifestBody = { v: VERSION, n: leaves.length, s: structureDigest(leaves, values), r: [rule.kind, rule.value, macOnlyEncrypted], t };
  return Object.keys(spellings).length === 0 ? body : { ...body, x: spellings };
}

/** The AAD: the manifest is valid only next to the `mac` and `lastmodified` it was written with. */
export function manifestAad(mac: string, lastmodified: string): string {
  return `kmseal-manifest:v${VERSION}\u0000${mac}\u0000${lastmodified}`;
}

/** `iv` is only passed by known-answer tests. */
export function sealManifest(body: ManifestBody, mac: string, lastmodified: string, dataKey: Uint8Array, iv?: Uint8Array): string {
  return encryptValue(scalar("str", JSON.stringify(body)), manifestAad(mac, lastmodified), dataKey, iv);
}

/** Decrypts and parses a manifest; anything that does not authenticate or parse is tampering (exit 3). */
export function openManifest(text: unknown, mac: string, lastmodified: string, dataKey: Uint8Array): ManifestBody {
  if (typeof text !== "string") throw tampered(`sops.${MANIFEST_KEY} is not an encrypted string`);
  let json: string;
  try {
    json = Buffer.from(decryptValue(text, manifestAad(mac, lastmodified), dataKey).bytes).toString("utf8");
  } catch {
    throw tampered(`sops.${MANIFEST_KEY} does not authenticate: it was altered, or copied from another version of the file or from another file`);
  }
  const body = JSON.parse(json) as ManifestBody;
  if (body.v !== VERSION) throw tampered(`sops.${MANIFEST_KEY} has version ${String(body.v)}, which this kmseal does not read`, undefined, "upgrade kmseal");
  return body;
}

/**
 * Compares an opened document with its manifest. The first leaf whose shape differs is named; a
 * difference only the digest sees (a renamed or moved key) is reported for the whole document.
 */
export function checkManifest(body: ManifestBody, leaves: readonly Leaf[], values: readonly Scalar[], rule: CryptRule, macOnlyEncrypted: boolean): void {
  const [kind, value, macOnly] = body.r;
  if (kind !== rule.kind || value !== rule.value || macOnly !== macOnlyEncrypted) {
    const now = `${rule.kind}: ${JSON.stringify(rule.value)}${macOnlyEncrypted ? ", mac_only_encrypted" : ""}`;
    const was = `${kind}: ${JSON.stringify(value)}${macOnly ? ", mac_only_encrypted" : ""}`;
    throw tampered(`the crypt rule in the sops metadata (${now}) is not the one the file was sealed with (${was})`);
  }
  const n = Math.min(leaves.length, body.n);
  for (let i = 0; i < n; i++) {
    const expected = body.t[String(i)] ?? "str";
    const shape = shapeOf(leaves[i]!.kind, values[i]!);
    if (shape !== expected)
      throw tampered(`${what(leaves[i]!, shape)} where the file's manifest has ${describe(expected)}: it was changed after the file was sealed`, leaves[i]);
  }
  if (leaves.length > body.n)
    throw tampered(
      `${what(leaves[body.n]!, shapeOf(leaves[body.n]!.kind, values[body.n]!))} was added after the file was sealed (it is not in the file's manifest)`,
      leaves[body.n],
    );
  if (leaves.length < body.n) throw tampered(`values were removed after the file was sealed (${body.n - leaves.length} fewer than its manifest lists)`);
  if (structureDigest(leaves, values) !== body.s)
    throw tampered("the document's keys differ from its manifest: a key was renamed, moved or duplicated after the file was sealed");
}

/** The leaf for a message: a value's path goes in the error's location, a comment's in the text. */
function what(leaf: Leaf, shape: string): string {
  return leaf.kind === "comment" ? `a comment under ${displayPath(leaf.path)}` : describe(shape);
}

function describe(shape: string): string {
  switch (shape) {
    case "empty":
      return "an empty value";
    case "comment":
      return "a comment";
    case "str":
      return "a string value";
    case "int":
      return "an int value";
    default:
      return `a ${shape} value`;
  }
}

function tampered(message: string, leaf?: Leaf, hint?: string): MacMismatchError {
  return new MacMismatchError(message, {
    hint: hint ?? "restore the file from git (`git checkout -- <file>`), or re-encrypt it from a trusted plaintext",
    ...(leaf !== undefined && leaf.kind === "value" ? { keyPath: displayPath(leaf.path) } : {}),
  });
}
