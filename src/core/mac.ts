/**
 * The file MAC: SHA-512 over the canonical bytes of every non-null value leaf in document order,
 * stored as uppercase hex encrypted with the data key under the `lastmodified` text as AAD.
 */
import { createHash } from "node:crypto";
import type { Policy } from "./policy.js";
import type { Leaf, Scalar } from "./tree.js";
import { scalar } from "./tree.js";
import { canonicalBytes, decryptValue, encryptValue } from "./value.js";

/** SHA-256("sops"): the seed sops hashes first when only encrypted values are authenticated. */
const MAC_ONLY_ENCRYPTED_SEED = createHash("sha256").update("sops").digest();

export class MacBuilder {
  private readonly hash = createHash("sha512");

  constructor(
    private readonly policy: Policy,
    private readonly macOnlyEncrypted: boolean,
  ) {
    if (macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_SEED);
  }

  /** Adds one leaf's plaintext value (comments and nulls are never hashed). */
  add(leaf: Leaf, plain: Scalar): void {
    if (leaf.kind !== "value" || plain.type === "null" || plain.type === "comment") return;
    const encrypted = this.policy.encrypts(leaf.path);
    if (this.macOnlyEncrypted && !encrypted) return;
    this.hash.update(!encrypted && leaf.unencryptedMac !== undefined ? leaf.unencryptedMac : canonicalBytes(plain));
  }

  hex(): string {
    return this.hash.digest("hex").toUpperCase();
  }
}

export function sealMac(hex: string, lastmodifiedAad: string, dataKey: Uint8Array): string {
  return encryptValue(scalar("str", hex), lastmodifiedAad, dataKey);
}

/** Decrypts the stored MAC; "" when the file has none (which never matches). */
export function openMac(enc: string, lastmodifiedAad: string, dataKey: Uint8Array): string {
  if (enc === "") return "";
  return Buffer.from(decryptValue(enc, lastmodifiedAad, dataKey).bytes).toString("utf8");
}
