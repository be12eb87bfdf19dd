/**
 * Text ⇄ leaves. A store knows one file format and nothing about crypto: it lists a document's
 * leaves in order and writes the document back with some leaves replaced, keeping the rest of the
 * text as it was.
 */
import type { PlainObject } from "../core/metadata.js";
import type { Edit, Leaf } from "../core/tree.js";

export type Format = "yaml" | "json" | "dotenv" | "binary";
export const FORMATS: readonly Format[] = ["yaml", "json", "dotenv", "binary"];

export interface StoreDocument {
  /** Every value and comment in depth-first document order (all documents of a YAML stream). */
  readonly leaves: readonly Leaf[];
  /** The `sops` block as a plain object, or null when the file is not encrypted. */
  readonly metadata: unknown;
  /**
   * The document with `edits[i]` written in place of `leaves[i]`. With metadata, the `sops` block is
   * written (replacing any present); with null, it is removed. Call once per parsed document.
   */
  render(edits: readonly (Edit | undefined)[], metadata: PlainObject | null, nodes?: NodeSources): Uint8Array;
  /**
   * Leaf `i` as it is written in the text (quotes, escapes, tag, block header and body), the text a
   * `source` edit writes back; null when the leaf has no text of its own (a value an alias produced).
   */
  source(i: number): string | null;
  /**
   * Text that stands for several leaves at once (a YAML alias), keyed by `start-end` leaf indexes.
   * A sealed file holds the expanded values there; `render` given these writes the text back instead.
   */
  nodeSources?(): NodeSources;
}

/** `start-end` (leaf indexes, end exclusive) → the text written in place of those leaves. */
export type NodeSources = ReadonlyMap<string, string>;

export interface Store {
  readonly format: Format;
  /** Throws FormatError (with 1-based line and column where known) on input the format rejects. */
  parse(input: Uint8Array): StoreDocument;
}
