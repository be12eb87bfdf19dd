/**
 * seal and open: the only encrypt and verify paths. Both work on the ordered leaves a store read
 * and return per-leaf edits for the store to write back, so the store keeps everything else.
 */
import { InvalidValueError, MacMismatchError } from "./errors.js";
import { MacBuilder, openMac, sealMac } from "./mac.js";
import { macAad, nowStamp, type Metadata } from "./metadata.js";
import type { Policy } from "./policy.js";
import { aadOf, displayPath, type Edit, type Leaf, type Scalar } from "./tree.js";
import { decryptValue, encryptTime, encryptValue, isEncrypted } from "./value.js";

/** Ciphertexts of an existing encrypted file, keyed by (AAD, type, plaintext): reused when unchanged. */
export type CiphertextStash = Map<string, string>;

function stashKey(aad: string, value: Scalar): string {
  return aad + "\u0000" + value.type + "\u0000" + Buffer.from(value.bytes).toString("latin1");
}

export interface SealOptions {
  readonly dataKey: Uint8Array;
  readonly policy: Policy;
  readonly encryptComments: boolean;
  readonly macOnlyEncrypted: boolean;
  readonly now?: Date;
  /** The opened previous version under the same data key: its ciphertexts, MAC and stamp are reused. */
  readonly previous?: { readonly stash: CiphertextStash; readonly macHex: string; readonly lastmodified: string; readonly mac: string };
}

export interface Sealed {
  readonly edits: (Edit | undefined)[];
  readonly lastmodified: string;
  readonly mac: string;
  /** True when every value kept its old ciphertext and the MAC is unchanged. */
  readonly unchanged: boolean;
}

/**
 * The value a seal encrypts for a leaf. A plain YAML timestamp is text to kmseal (it round-trips
 * exactly through the manifest) but a time.Time to sops, which encrypts its RFC 3339 text; kmseal
 * encrypts that text too, so sops reads kmseal's file as it reads its own.
 */
export function sealedValue(leaf: Leaf): Scalar {
  return leaf.kind === "value" && leaf.unencryptedMac !== undefined ? { type: "str", bytes: leaf.unencryptedMac } : leaf.value;
}

export function seal(leaves: readonly Leaf[], opts: SealOptions): Sealed {
  const mac = new MacBuilder(opts.policy, opts.macOnlyEncrypted);
  const edits = new Array<Edit | undefined>(leaves.length);
  const stash = opts.previous?.stash;
  let fresh = 0;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const encrypts = opts.policy.encrypts(leaf.path);
    const value = encrypts ? sealedValue(leaf) : leaf.value;
    mac.add(leaf, value);
    if (value.type === "null" || value.bytes.length === 0) continue;
    if (leaf.kind === "comment" && !opts.encryptComments) continue;
    if (!encrypts) continue;
    const aad = leaf.kind === "comment" ? aadOf(leaf.path) || ":" : aadOf(leaf.path);
    const key = stash === undefined ? "" : stashKey(aad, value);
    let text = stash?.get(key);
    if (text === undefined) {
      text = leaf.kind === "value" && leaf.unencryptedMac !== undefined ? encryptTime(value.bytes, aad, opts.dataKey) : encryptValue(value, aad, opts.dataKey);
      fresh++;
    }
    edits[i] = { kind: "enc", text };
  }
  const macHex = mac.hex();
  const prev = opts.previous;
  if (prev !== undefined && fresh === 0 && prev.macHex === macHex) {
    return { edits, lastmodified: prev.lastmodified, mac: prev.mac, unchanged: true };
  }
  const lastmodified = nowStamp(opts.now);
  return { edits, lastmodified, mac: sealMac(macHex, macAad(lastmodified), opts.dataKey), unchanged: false };
}

export interface OpenOptions {
  readonly verifyMac?: boolean;
}

export interface Opened {
  /** The plaintext value of every leaf, in order. */
  readonly values: Scalar[];
  readonly edits: (Edit | undefined)[];
  readonly stash: CiphertextStash;
  readonly macHex: string;
  /** Comments in encrypted positions that could not be decrypted and were kept as they are. */
  readonly warnings: string[];
}

export function open(leaves: readonly Leaf[], meta: Metadata, dataKey: Uint8Array, policy: Policy, opts: OpenOptions = {}): Opened {
  const mac = new MacBuilder(policy, meta.macOnlyEncrypted);
  const values = new Array<Scalar>(leaves.length);
  const edits = new Array<Edit | undefined>(leaves.length);
  // The stash is only needed when the file is re-sealed (edit, set, re-encrypt); plain decrypts
  // never read it, so the (AAD, value) keys are built on first use.
  const stashed: [string, Scalar, string][] = [];
  const warnings: string[] = [];
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const value = leaf.value;
    values[i] = value;
    if (leaf.kind === "comment") {
      const plain = openComment(leaf, dataKey, policy, stashed, warnings);
      if (plain !== undefined) {
        values[i] = plain;
        edits[i] = { kind: "plain", value: plain };
      }
      continue;
    }
    if (policy.encrypts(leaf.path) && value.type !== "null" && value.bytes.length > 0) {
      const where = { keyPath: displayPath(leaf.path) };
      if (value.type !== "str") throw new InvalidValueError("a plaintext value sits where an encrypted one is expected", where);
      const text = Buffer.from(value.bytes).toString("utf8");
      if (!isEncrypted(text)) throw new InvalidValueError("a plaintext value sits where an encrypted one is expected", where);
      const aad = aadOf(leaf.path);
      let plain: Scalar;
      try {
        plain = decryptValue(text, aad, dataKey);
      } catch (err) {
        if (err instanceof InvalidValueError) err.keyPath ??= where.keyPath;
        throw err;
      }
      // A top-level comment and a value named "" share the AAD ":"; comments are outside the MAC, so
      // a comment's ciphertext moved into a value line would otherwise verify. (sops's own
      // `- ENC[…,type:comment]` list items are comments in value position too, under an index.)
      if (plain.type === "comment" && leaf.path[leaf.path.length - 1] === "")
        throw new InvalidValueError("an encrypted comment sits where a value is expected", where);
      stashed.push([aad, plain, text]);
      values[i] = plain;
      edits[i] = { kind: "plain", value: plain };
    }
    mac.add(leaf, values[i]!);
  }
  const macHex = mac.hex();
  if (opts.verifyMac !== false) {
    let stored: string;
    try {
      stored = openMac(meta.mac, macAad(meta.lastmodified), dataKey);
    } catch {
      throw new MacMismatchError("the stored MAC does not authenticate: sops.mac or sops.lastmodified was altered");
    }
    if (stored === "") throw new MacMismatchError("the file has no MAC");
    if (stored !== macHex) throw new MacMismatchError("MAC mismatch: values were added, removed, reordered or altered since the file was sealed");
  }
  let stash: CiphertextStash | undefined;
  return {
    values,
    edits,
    get stash() {
      stash ??= new Map(stashed.map(([aad, value, text]) => [stashKey(aad, value), text]));
      return stash;
    },
    macHex,
    warnings,
  };
}

/**
 * Comments: sops uses the containing collection's path as AAD, but YAML libraries disagree about
 * which collection a comment between two levels belongs to. Try the expected path, then each
 * ancestor; a comment that still fails is kept as it is, with a warning, as sops does.
 */
function openComment(leaf: Leaf, dataKey: Uint8Array, policy: Policy, stashed: [string, Scalar, string][], warnings: string[]): Scalar | undefined {
  const text = Buffer.from(leaf.value.bytes).toString("utf8");
  if (!isEncrypted(text)) return undefined;
  for (let n = leaf.path.length; n >= 0; n--) {
    const aad = aadOf(leaf.path.slice(0, n)) || ":";
    try {
      const plain = decryptValue(text, aad, dataKey);
      stashed.push([aadOf(leaf.path) || ":", { type: "comment", bytes: plain.bytes }, text]);
      return { type: "comment", bytes: plain.bytes };
    } catch {
      // try the next ancestor
    }
  }
  if (policy.encrypts(leaf.path)) warnings.push(`a comment under ${displayPath(leaf.path)} could not be decrypted and was kept as it is`);
  return undefined;
}
