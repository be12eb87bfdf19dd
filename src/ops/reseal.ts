/**
 * Re-encrypting a changed plaintext under an already opened file's data key, keys and rule, so every
 * unchanged value keeps its exact ciphertext (the basis of edit, set and unset's minimal diffs).
 */
import { seal } from "../core/document.js";
import { metadataToPlain, SOPS_VERSION, type Metadata } from "../core/metadata.js";
import { compilePolicy } from "../core/policy.js";
import { loadStore } from "../stores/registry.js";
import type { Format } from "../stores/store.js";
import type { OpenedFile } from "./decrypt.js";

export interface Resealed {
  readonly bytes: Uint8Array;
  readonly unchanged: boolean;
}

/** `keepVersion`: leave `version` as it is (sops's set and unset do; its edit raises it). */
export async function reseal(plaintext: Uint8Array, format: Format, from: OpenedFile, opts: { encryptComments?: boolean; keepVersion?: boolean } = {}): Promise<Resealed> {
  const doc = (await loadStore(format)).parse(plaintext);
  const sealed = seal(doc.leaves, {
    dataKey: from.dataKey,
    policy: compilePolicy(from.meta.rule),
    encryptComments: opts.encryptComments ?? true,
    macOnlyEncrypted: from.meta.macOnlyEncrypted,
    previous: { stash: from.opened.stash, macHex: from.opened.macHex, lastmodified: from.meta.lastmodified, mac: from.meta.mac },
  });
  const meta: Metadata = { ...from.meta, lastmodified: sealed.lastmodified, mac: sealed.mac, version: sealed.unchanged || opts.keepVersion === true ? from.meta.version : newerVersion(from.meta.version) };
  return { bytes: doc.render(sealed.edits, metadataToPlain(meta)), unchanged: sealed.unchanged };
}

/** sops raises `version` to its own when it rewrites a file; never lowers it. */
export function newerVersion(version: string): string {
  const a = version.split(/[.-]/).map(Number);
  const b = SOPS_VERSION.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) > (b[i] ?? 0)) return version;
    if ((a[i] ?? 0) < (b[i] ?? 0)) return SOPS_VERSION;
  }
  return version;
}
