/**
 * get/set/unset on dotenv text, by variable name as loaders see it (`export NAME=` is NAME). A set
 * rewrites the text after `=` of the last line that defines the name (loaders let the last one win)
 * or appends a line; an unset removes every line that defines it. Other lines keep every byte.
 */
import { UsageError } from "../../core/errors.js";
import type { Leaf, Scalar } from "../../core/tree.js";
import { scanDotenv, type DotenvEntry } from "./scanner.js";
import { interpretDotenv } from "./value.js";
import type { EditOutcome, PlaintextEditor } from "../edit/editor.js";
import { eolOf } from "../eol.js";
import { flowText, type Typed } from "../edit/typed.js";

type ValueEntry = DotenvEntry & { kind: "value" };

interface Line {
  readonly entry: ValueEntry;
  readonly name: string;
  readonly value: string;
  /** Byte offsets in the text: the line's start, where the value starts and ends (before a CR). */
  readonly start: number;
  readonly rawStart: number;
  readonly rawEnd: number;
}

function linesOf(buf: Buffer): Line[] {
  const out: Line[] = [];
  for (const entry of scanDotenv(buf, true).entries) {
    if (entry.kind !== "value") continue;
    const { name, value } = interpretDotenv(entry.key.toString("utf8"), entry.raw.toString("utf8"));
    const rawStart = entry.raw.byteOffset - buf.byteOffset;
    const cr = entry.raw[entry.raw.length - 1] === 0x0d ? 1 : 0;
    out.push({ entry, name, value, start: entry.key.byteOffset - buf.byteOffset, rawStart, rawEnd: rawStart + entry.raw.length - cr });
  }
  return out;
}

/** The value of NAME from the decrypted leaves (what `exec` would export); undefined when absent. */
export function dotenvGet(leaves: readonly Leaf[], values: readonly Scalar[], name: string): string | undefined {
  let found: string | undefined;
  leaves.forEach((leaf, i) => {
    if (leaf.kind !== "value" || leaf.path.length !== 1) return;
    const v = interpretDotenv(leaf.path[0]!, Buffer.from(values[i]!.bytes).toString("utf8"));
    if (v.name === name) found = v.value;
  });
  return found;
}

/** Everything is a string in a dotenv file: numbers and booleans as text, collections as JSON. */
function stringOf(v: Typed): string {
  switch (v.type) {
    case "str":
      return v.value;
    case "int":
    case "float":
      return v.text;
    case "bool":
      return String(v.value);
    case "null":
      return "";
    default:
      return flowText(
        v,
        (s) => JSON.stringify(s),
        (x) => (x.type === "null" ? "null" : stringOf(x)),
      );
  }
}

/** The text after `=` that reads back as `value`: bare when nothing can misread it, else quoted. */
export function dotenvRaw(value: string): string {
  if (value === "") return "";
  if (/^[^\s'"`#][^\r\n]*$/.test(value) && !/\s$/.test(value) && !/\s#/.test(value)) return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  const raw = '"' + value.replace(/[\\"\n\r]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" })[c]!) + '"';
  if (interpretDotenv("", raw).value !== value) throw new UsageError("the value cannot be written in a dotenv file so that loaders read it back unchanged");
  return raw;
}

function checkName(name: string): void {
  if (name === "" || /[=\s]/.test(name) || name.startsWith("#"))
    throw new UsageError(`"${name}" cannot be a dotenv variable name`, { hint: "use letters, digits and _" });
}

export const dotenvEditor: PlaintextEditor = {
  set(text, path, typed) {
    const name = path[0]!;
    const buf = Buffer.from(text, "utf8");
    const value = stringOf(typed);
    const line = linesOf(buf).findLast((l) => l.name === name);
    if (line !== undefined) {
      if (line.value === value) return { text, changed: false };
      const out = Buffer.concat([buf.subarray(0, line.rawStart), Buffer.from(dotenvRaw(value)), buf.subarray(line.rawEnd)]);
      return { text: out.toString("utf8"), changed: true };
    }
    checkName(name);
    const eol = eolOf(text);
    const lead = text !== "" && !text.endsWith("\n") ? eol : "";
    return { text: `${text}${lead}${name}=${dotenvRaw(value)}${eol}`, changed: true };
  },
  unset(text, path): EditOutcome | null {
    const buf = Buffer.from(text, "utf8");
    const lines = linesOf(buf).filter((l) => l.name === path[0]);
    if (lines.length === 0) return null;
    const parts: Buffer[] = [];
    let at = 0;
    for (const l of lines) {
      const nl = buf.indexOf(0x0a, l.rawEnd);
      parts.push(buf.subarray(at, l.start));
      at = nl === -1 ? buf.length : nl + 1;
    }
    parts.push(buf.subarray(at));
    return { text: Buffer.concat(parts).toString("utf8"), changed: true };
  },
};
