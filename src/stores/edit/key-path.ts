/**
 * KEYPATH arguments of get/set/unset: `a.b.0.c`, or a JSON pointer `/a/b/0/c` (RFC 6901: `~1` is
 * `/`, `~0` is `~`) for keys that contain dots. Segments stay strings; a segment names a list
 * element when the value it is applied to is a list.
 */
import { UsageError } from "../../core/errors.js";

export type KeyPath = readonly string[];

export function parseKeyPath(text: string): KeyPath {
  if (text === "") throw new UsageError("the key path is empty", { hint: "name a key: db.password, or /db/password" });
  if (text.startsWith("[")) return parseSopsPath(text);
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

/**
 * sops's path syntax (`--extract '["db"]["hosts"][0]'`): `["key"]` or `['key']` names a key, `[N]` a
 * list index. A quoted key runs to the quote that is followed by `]`, so a key may hold `[` (sops
 * splits on every `[` and cannot name such keys; every path sops takes reads the same here).
 */
export function parseSopsPath(text: string): KeyPath {
  const out: string[] = [];
  const bad = (why: string): never => {
    throw new UsageError(`"${text}" is not a sops path: ${why}`, {
      hint: `write each step in brackets: '["db"]["password"]', or '["hosts"][0]' for a list element`,
    });
  };
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "[") bad(`expected [ at character ${i + 1}`);
    const quote = text[i + 1];
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote + "]", i + 2);
      if (end < 0) bad(`the key that starts at character ${i + 2} has no closing ${quote}]`);
      out.push(text.slice(i + 2, end));
      i = end + 2;
    } else {
      const end = text.indexOf("]", i + 1);
      if (end < 0) bad(`no closing ] after character ${i + 1}`);
      const index = text.slice(i + 1, end);
      if (!/^[0-9]+$/.test(index)) bad(`[${index}] is neither a quoted key nor a list index`);
      out.push(String(Number(index)));
      i = end + 1;
    }
  }
  if (out.length === 0) bad("it names no key");
  return out;
}
