/**
 * dotenv lines as sops reads them, widened just enough to keep real-world files intact.
 *
 * sops splits on `\n`; a line whose first byte is `#` is a comment; otherwise the key is everything
 * before the first `=` and the value everything after, both untrimmed (a `\r` of a CRLF file stays
 * in the value, as in sops). On top of that, for plaintext files only: blank and whitespace-only lines
 * are kept as lines, an indented `#` line is a comment, and a double-quoted value whose closing quote
 * is on a later line spans those lines. Everything works on bytes, so no byte is ever re-encoded.
 */
import { FormatError } from "../../core/errors.js";
import { NodeBudget } from "../../platform/limits.js";

export type DotenvEntry =
  | { readonly kind: "blank"; readonly text: Buffer }
  | { readonly kind: "comment"; readonly line: number; readonly indent: Buffer; readonly text: Buffer }
  | { readonly kind: "value"; readonly line: number; readonly key: Buffer; readonly raw: Buffer };

export interface DotenvLines {
  readonly entries: readonly DotenvEntry[];
  /** Whether the last line ends with `\n` (true for an empty file). */
  readonly finalNewline: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPED_NEWLINE = Buffer.from("\\n");
const NEWLINE = Buffer.from("\n");

/** `multiline`: join double-quoted values that close on a later line (plaintext files only). */
export function scanDotenv(input: Uint8Array, multiline: boolean): DotenvLines {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const entries: DotenvEntry[] = [];
  let pos = 0;
  let line = 1;
  const budget = new NodeBudget((m) => {
    throw new FormatError(`line ${line}: ${m}`, { line });
  });
  while (pos < buf.length) {
    budget.take();
    let end = buf.indexOf(LF, pos);
    if (end === -1) end = buf.length;
    const content = buf.subarray(pos, end);
    const first = skipBlanks(content, 0, false);
    if (skipBlanks(content, first, true) === content.length) {
      entries.push({ kind: "blank", text: content });
    } else if (content[first] === HASH) {
      entries.push({ kind: "comment", line, indent: content.subarray(0, first), text: content.subarray(first + 1) });
    } else {
      const eq = content.indexOf(EQUALS);
      if (eq === -1) throw new FormatError(`line ${line}: expected KEY=value, a # comment or a blank line`, { line, column: first + 1 });
      const valueStart = pos + eq + 1;
      const close = multiline ? closingLineEnd(buf, valueStart, end) : -1;
      if (close !== -1) end = close;
      entries.push({ kind: "value", line, key: content.subarray(0, eq), raw: buf.subarray(valueStart, end) });
    }
    line += countNewlines(buf, pos, end) + 1;
    pos = end + 1;
  }
  return { entries, finalNewline: buf.length === 0 || buf[buf.length - 1] === LF };
}

/**
 * Where a value that opens a double quote on one line and closes it on a later one ends: the end of
 * the closing line. -1 when the value is single-line or never closes (then it is read as sops does).
 */
function closingLineEnd(buf: Buffer, valueStart: number, lineEnd: number): number {
  const open = skipBlanks(buf, valueStart, false);
  if (open >= lineEnd || buf[open] !== QUOTE) return -1;
  const close = closingQuote(buf, open + 1);
  if (close === -1 || close < lineEnd) return -1;
  const end = buf.indexOf(LF, close);
  return end === -1 ? buf.length : end;
}

/** Index of the first `"` at or after `from` that no backslash escapes; -1 if none. */
function closingQuote(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] === BACKSLASH) i++;
    else if (buf[i] === QUOTE) return i;
  }
  return -1;
}

/**
 * Whether a value has the shape the scanner reads as one multi-line double-quoted value: it opens a
 * quote on its first line and closes it on its last. Such a value is written back with real line
 * breaks; any other value with a newline is written with `\n` escapes, as sops writes it.
 */
export function isMultilineQuoted(value: Uint8Array): boolean {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const firstBreak = buf.indexOf(LF);
  if (firstBreak === -1) return false;
  const open = skipBlanks(buf, 0, false);
  if (buf[open] !== QUOTE) return false;
  const close = closingQuote(buf, open + 1);
  return close > firstBreak && buf.indexOf(LF, close) === -1;
}

/** Real newlines as the two characters `\n`: how sops writes every dotenv value. */
export function escapeNewlines(value: Uint8Array): Buffer {
  return replaceAll(Buffer.from(value.buffer, value.byteOffset, value.byteLength), NEWLINE, ESCAPED_NEWLINE);
}

/** Every `\n` sequence as a newline: how sops reads every dotenv value. */
export function unescapeNewlines(value: Uint8Array): Buffer {
  return replaceAll(Buffer.from(value.buffer, value.byteOffset, value.byteLength), ESCAPED_NEWLINE, NEWLINE);
}

export function hasEscapedNewline(value: Uint8Array): boolean {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).includes(ESCAPED_NEWLINE);
}

function replaceAll(buf: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = buf.indexOf(from); i !== -1; i = buf.indexOf(from, at)) {
    parts.push(buf.subarray(at, i), to);
    at = i + from.length;
  }
  if (parts.length === 0) return buf;
  parts.push(buf.subarray(at));
  return Buffer.concat(parts);
}

function skipBlanks(buf: Buffer, from: number, crToo: boolean): number {
  let i = from;
  while (i < buf.length && (buf[i] === SPACE || buf[i] === TAB || (crToo && buf[i] === CR))) i++;
  return i;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(LF, from); i !== -1 && i < to; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}
