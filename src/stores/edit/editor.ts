/**
 * Changing one value in a decrypted document's *text*, so the rest of the text (and therefore the
 * ciphertext of every other value once it is re-sealed) stays byte for byte as it was. Each format
 * has its own editor (stores/<format>/edit.ts, handed out by stores/registry.ts); this file holds
 * what they share.
 */
import { isDeepStrictEqual } from "node:util";
import { UsageError } from "../../core/errors.js";
import type { Format } from "../store.js";
import type { KeyPath } from "./key-path.js";
import { showKeyPath } from "./key-path.js";
import type { Typed } from "./typed.js";

/** A value read by key path: its text as `kmseal get` prints it, and whether it is a string. */
export interface Got {
  readonly text: string;
  readonly string: boolean;
}

export interface EditOutcome {
  readonly text: string;
  /** False when the document already had this value (the text is then returned as it was). */
  readonly changed: boolean;
}

export interface PlaintextEditor {
  set(text: string, path: KeyPath, value: Typed): EditOutcome;
  /** null when there is no value at `path`. */
  unset(text: string, path: KeyPath): EditOutcome | null;
}

export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function applySplice(text: string, s: Splice): string {
  return text.slice(0, s.start) + s.text + text.slice(s.end);
}

/** Refuses formats without key paths and the reserved `sops` key. */
export function checkEditable(format: Format, path: KeyPath): void {
  if (format === "binary")
    throw new UsageError("a binary file is one value and has no key paths", { hint: "use `kmseal edit`, or decrypt and encrypt it again" });
  if (format === "dotenv" ? path[0]?.startsWith("sops_") === true : path[0] === "sops") {
    throw new UsageError(`${showKeyPath(path)} is reserved for sops metadata`);
  }
  if (format === "dotenv" && path.length !== 1)
    throw new UsageError(`a dotenv file has only top-level names; "${showKeyPath(path)}" has ${path.length} segments`);
}

/** Marks a removal for `withValue`. */
export const REMOVED: unique symbol = Symbol("removed");

/**
 * The decoded document as it must read after the edit: a copy of `root` with `value` at `path`
 * (missing maps created on the way), or without it. Used to check an edit before it is kept.
 */
export function withValue(root: unknown, path: KeyPath, value: unknown): unknown {
  const copy: unknown = root === null || root === undefined ? {} : structuredClone(root);
  let node: unknown = copy;
  for (let i = 0; i < path.length; i++) {
    const key: string | number = Array.isArray(node) ? (path[i] === "-" ? node.length : Number(path[i])) : path[i]!;
    const holder = node as Record<string | number, unknown>;
    if (i === path.length - 1) {
      if (value !== REMOVED) holder[key] = value;
      else if (Array.isArray(node)) node.splice(key as number, 1);
      else Reflect.deleteProperty(holder, key);
      break;
    }
    if (holder[key] === null || typeof holder[key] !== "object") holder[key] = {};
    node = holder[key];
  }
  return copy;
}

/** Whether `after` decodes to exactly what the edit intended. */
export function sameDocument(after: unknown, expected: unknown): boolean {
  return isDeepStrictEqual(after, expected);
}

export function cannotEdit(path: KeyPath, why: string): UsageError {
  return new UsageError(`cannot change ${showKeyPath(path)} in place: ${why}`, { hint: "change it with `kmseal edit`" });
}

/** The index just after the line break that ends the line holding `pos - 1` (or the text's end). */
export function lineEndAfter(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const i = text.indexOf("\n", pos);
  return i === -1 ? text.length : i + 1;
}

export function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

/** A decrypted document as text; get/set/unset need UTF-8. */
export function textOf(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError("the decrypted document is not UTF-8 text", { hint: "change it with `kmseal edit`" });
  }
}
