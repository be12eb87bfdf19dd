/** Store tests run documents through the real core: parse → seal → render → parse → open → render. */
import assert from "node:assert/strict";
import { Decrypter, Encrypter, armor } from "age-encryption";
import { open } from "../../src/core/document.js";
import { metadataFromPlain, type AgeRecord, type KeyRecord } from "../../src/core/metadata.js";
import { compilePolicy } from "../../src/core/policy.js";
import { sealWithKey } from "../../src/ops/sealing/sealed-file.js";
import type { Store } from "../../src/stores/store.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../helpers/keys.js";

/** Enough of a key record for store tests that never unwrap the data key. */
export const PLACEHOLDER_KEY: AgeRecord = {
  type: "age",
  recipient: TEST_AGE_RECIPIENT,
  enc: "-----BEGIN AGE ENCRYPTED FILE-----\nplaceholder\n-----END AGE ENCRYPTED FILE-----\n",
};

export function sealDocument(store: Store, input: Uint8Array, key: KeyRecord = PLACEHOLDER_KEY): Uint8Array {
  const doc = store.parse(input);
  assert.equal(doc.metadata, null, "the input is a plaintext file");
  return sealWithKey(doc, TEST_DATA_KEY, [key]);
}

export function openDocument(store: Store, sealed: Uint8Array, dataKey: Uint8Array = TEST_DATA_KEY): Uint8Array {
  const doc = store.parse(sealed);
  assert.notEqual(doc.metadata, null, "the input is a sealed file");
  const meta = metadataFromPlain(doc.metadata);
  const opened = open(doc.leaves, meta, dataKey, compilePolicy(meta.rule));
  return doc.render(opened.edits, null);
}

/** A real age record wrapping TEST_DATA_KEY for the test identity (what sops needs to decrypt). */
export async function ageRecord(): Promise<AgeRecord> {
  const e = new Encrypter();
  e.addRecipient(TEST_AGE_RECIPIENT);
  return { type: "age", recipient: TEST_AGE_RECIPIENT, enc: armor.encode(await e.encrypt(TEST_DATA_KEY)) };
}

/** The data key of a sealed file's metadata, unwrapped with the test identity. */
export async function unwrapDataKey(metadata: unknown): Promise<Uint8Array> {
  const meta = metadataFromPlain(metadata);
  const age = meta.keys.find((k): k is AgeRecord => k.type === "age");
  assert.ok(age !== undefined, "the file has an age key");
  const d = new Decrypter();
  d.addIdentity(TEST_AGE_IDENTITY);
  return d.decrypt(armor.decode(age.enc));
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
export const bytes = (s: string): Uint8Array => Buffer.from(s, "utf8");
