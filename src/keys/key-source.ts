/**
 * The key-source contract (after typage's Recipient/Identity): a source wraps the data key into a
 * record stored in the file's metadata, and an unwrapper recovers it. `unwrap` returns null for
 * "not mine" and throws for "mine, but it failed" so the caller can report why each key failed.
 */
import type { KeyRecord } from "../core/metadata.js";

export interface KeySource {
  readonly type: KeyRecord["type"];
  /** ARN, `alias/NAME` or age recipient, as the user named it. */
  readonly id: string;
  wrap(dataKey: Uint8Array): Promise<KeyRecord>;
}

export interface KeyUnwrapper {
  readonly type: KeyRecord["type"];
  unwrap(record: KeyRecord): Promise<Uint8Array | null>;
}
