/** Recover the data key of a parsed encrypted document and open (decrypt + verify) its values. */
import { open, type Opened } from "../core/document.js";
import type { Metadata } from "../core/metadata.js";
import { compilePolicy } from "../core/policy.js";
import { unwrapAny } from "../keys/data-key.js";
import type { StoreDocument } from "../stores/store.js";
import type { KeyServices } from "./key-services.js";

export async function openSealed(doc: StoreDocument, meta: Metadata, services: KeyServices, verifyMac = true, file?: string): Promise<{ dataKey: Uint8Array; opened: Opened }> {
  const { dataKey } = await unwrapAny(meta.keys, await services.unwrappers());
  try {
    const opened = open(doc.leaves, meta, dataKey, compilePolicy(meta.rule), { verifyMac });
    for (const w of opened.warnings) services.notice(file !== undefined ? `${file}: ${w}` : w);
    return { dataKey, opened };
  } catch (err) {
    dataKey.fill(0); // a tampered file: the caller never receives the key to wipe it
    throw err;
  }
}
