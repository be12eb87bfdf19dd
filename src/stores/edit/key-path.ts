/**
 * KEYPATH arguments of get/set/unset: `a.b.0.c`, or a JSON pointer `/a/b/0/c` (RFC 6901: `~1` is
 * `/`, `~0` is `~`) for keys that contain dots. Segments stay strings; a segment names a list
 * element when the value it is applied to is a list.
 */
import { UsageError } from "../../core/errors.js";

export type KeyPath = readonly string[];

export function parseKeyPath(text: string): KeyPath {
  if (text === "") throw new UsageError("the key path is empty", { hint: "name a key: db.password, or /db/password" });
  if (text.startsWith("/")) return text.slice(1).split("/").map(unescapePointer);
  const segments = text.split(".");
  if (segments.some((s) => s === "")) {
    throw new UsageError(`the key path "${text}" has an empty segment`, { hint: "for keys with dots or empty keys, use a JSON pointer: /a.b/c" });
  }
  return segments;
}

function unescapePointer(segment: string): string {
  if (/~[^01]|~$/.test(segment))
    throw new UsageError(`"${segment}" is not a valid JSON pointer segment`, { hint: "in a JSON pointer ~ is written ~0 and / is written ~1" });
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** How a key path is shown in messages: dotted when that reads back the same, else a JSON pointer. */
export function showKeyPath(path: KeyPath): string {
  if (path.length > 0 && path.every((s) => s !== "" && !s.includes(".") && !s.startsWith("/"))) return path.join(".");
  return path.map((s) => "/" + s.replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

/** A segment used on a list: an element index, or `-` (JSON pointer's "one past the end"). */
export function listIndex(segment: string, length: number): number | null {
  if (segment === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) return null;
  const n = Number(segment);
  return Number.isSafeInteger(n) ? n : null;
}
