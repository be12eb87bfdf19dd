/**
 * JSON text written by kmseal: quoted strings and the pretty-printed `sops` block, laid out the way
 * sops's JSON store lays out its output (json.Indent: one member per line, `"key": value`, empty
 * collections as `{}` and `[]`), with a caller-chosen indentation unit and line break.
 */
import type { PlainValue } from "../../core/metadata.js";

export interface JsonLayout {
  /** Indentation of the line that holds the value's opening bracket. */
  readonly indent: string;
  /** One indentation level. */
  readonly unit: string;
  readonly newline: string;
}

/**
 * A JSON string literal. JSON.stringify escapes only what JSON requires (quote, backslash, control
 * characters, lone surrogates) and keeps every other character as it is, non-ASCII included.
 */
export function quoteJson(text: string): string {
  return JSON.stringify(text);
}

export function formatJson(value: PlainValue, layout: JsonLayout): string {
  if (typeof value === "string") return quoteJson(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("JSON cannot hold a non-finite number");
    return String(value);
  }
  const inner: JsonLayout = { ...layout, indent: layout.indent + layout.unit };
  const lead = layout.newline + inner.indent;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return "[" + lead + value.map((v) => formatJson(v, inner)).join("," + lead) + layout.newline + layout.indent + "]";
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  return "{" + lead + keys.map((k) => quoteJson(k) + ": " + formatJson(value[k]!, inner)).join("," + lead) + layout.newline + layout.indent + "}";
}
