/**
 * A JSON scanner that records where every value sits in the source text, so the JSON store can
 * replace values in place and keep every other byte. Keys keep file order and duplicates are kept
 * as separate members, as Go's token decoder (and so sops) does.
 */
import { FormatError } from "../../core/errors.js";
import { NodeBudget } from "../../platform/limits.js";

interface Span {
  /** Index of the value's first character in the source text. */
  readonly start: number;
  /** Index just after the value's last character. */
  readonly end: number;
}

export interface JsonMember {
  readonly key: string;
  /** Index of the key's opening quote. */
  readonly keyStart: number;
  readonly value: JsonNode;
}

export type JsonNode =
  | (Span & { readonly kind: "object"; readonly members: readonly JsonMember[] })
  | (Span & { readonly kind: "array"; readonly items: readonly JsonNode[] })
  | (Span & { readonly kind: "string"; readonly value: string })
  | (Span & { readonly kind: "number"; readonly text: string })
  | (Span & { readonly kind: "literal"; readonly value: boolean | null });

/** Deep enough for any real document, shallow enough for the call stack. */
const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** 1-based line and column of a source index (columns count UTF-16 units). */
export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/** Scans one JSON value filling the whole text (surrounding whitespace allowed). */
export function scanJson(text: string): JsonNode {
  const scanner = new Scanner(text);
  scanner.skipSpace();
  const root = scanner.value(0);
  scanner.skipSpace();
  if (scanner.pos < text.length) scanner.fail("unexpected content after the top-level value");
  return root;
}

class Scanner {
  pos = 0;

  private readonly budget = new NodeBudget((m) => this.fail(m));
  constructor(private readonly text: string) {}

  fail(message: string, at: number = this.pos): never {
    const { line, column } = positionOf(this.text, at);
    throw new FormatError(`invalid JSON at line ${line}, column ${column}: ${message}`, { line, column });
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.budget.take();
    const c = this.text[this.pos];
    switch (c) {
      case undefined:
        return this.fail("unexpected end of input, expected a value");
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"': {
        const start = this.pos;
        const value = this.string();
        return { kind: "string", start, end: this.pos, value };
      }
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        return this.number();
    }
  }

  private object(depth: number): JsonNode {
    const start = this.pos++;
    const members: JsonMember[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { kind: "object", start, end: this.pos, members };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(this.pos >= this.text.length ? "unexpected end of input inside an object" : "expected a quoted object key");
      const keyStart = this.pos;
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("expected ':' after an object key");
      this.pos++;
      this.skipSpace();
      members.push({ key, keyStart, value: this.value(depth + 1) });
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "}") return { kind: "object", start, end: this.pos, members };
      if (next !== ",") this.fail(next === undefined ? "unexpected end of input inside an object" : "expected ',' or '}' after an object member", this.pos - 1);
      this.skipSpace();
    }
  }

  private array(depth: number): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { kind: "array", start, end: this.pos, items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "]") return { kind: "array", start, end: this.pos, items };
      if (next !== ",") this.fail(next === undefined ? "unexpected end of input inside an array" : "expected ',' or ']' after an array element", this.pos - 1);
      this.skipSpace();
    }
  }

  /** Reads a string starting at its opening quote; returns the decoded value. */
  private string(): string {
    const t = this.text;
    const open = this.pos++;
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail("unterminated string", open);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail("control character inside a string (escape it)");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      const e = t[this.pos + 1];
      if (e === "u") {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail("invalid \\u escape");
        const unit = parseInt(hex, 16);
        // A surrogate must pair up: a lone one has no UTF-8 form, so the value could not round-trip.
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = /^\\u([dD][c-fC-F][0-9A-Fa-f]{2})/.exec(t.slice(this.pos + 6, this.pos + 12));
          if (low === null) this.fail("lone UTF-16 surrogate in a \\u escape");
          out += String.fromCharCode(unit, parseInt(low[1]!, 16));
          this.pos += 12;
        } else {
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("lone UTF-16 surrogate in a \\u escape");
          out += String.fromCharCode(unit);
          this.pos += 6;
        }
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) this.fail("invalid escape sequence");
        out += decoded;
        this.pos += 2;
      }
      runStart = this.pos;
    }
  }

  private literal(word: string, value: boolean | null): JsonNode {
    const start = this.pos;
    if (!this.text.startsWith(word, start)) this.fail("unexpected character, expected a value");
    this.pos += word.length;
    return { kind: "literal", start, end: this.pos, value };
  }

  private number(): JsonNode {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (m === null) this.fail("unexpected character, expected a value");
    this.pos += m[0].length;
    // Go's scanner rejects "01" or "1.": a number must not run into more digits or a dot.
    if (/[0-9.eE+-]/.test(this.text[this.pos] ?? "")) this.fail("malformed number");
    return { kind: "number", start, end: this.pos, text: m[0] };
  }
}
