/**
 * The value `set` writes, typed once from the command line (`--type str|int|float|bool|json`) and then
 * written by each format in its own syntax. Numbers keep their text so nothing is lost to JS floats.
 */
import { FormatError, UsageError } from "../../core/errors.js";
import { goParseBool, goParseFloat, isInt64 } from "../../core/go-number.js";
import { scanJson, type JsonNode } from "../json/scanner.js";

export type ValueType = "str" | "int" | "float" | "bool" | "json";
export const VALUE_TYPES: readonly ValueType[] = ["str", "int", "float", "bool", "json"];

export type Typed =
  | { readonly type: "str"; readonly value: string }
  | { readonly type: "int"; readonly text: string }
  | { readonly type: "float"; readonly text: string }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "null" }
  | { readonly type: "list"; readonly items: readonly Typed[] }
  | { readonly type: "map"; readonly entries: readonly (readonly [string, Typed])[] };

/** Reads VALUE as `--type` says; the message names the type, never the value. */
export function parseTyped(type: ValueType, text: string): Typed {
  switch (type) {
    case "str":
      return { type: "str", value: text };
    case "int": {
      const t = text.trim();
      if (!/^[-+]?[0-9]+$/.test(t) || !isInt64(BigInt(t))) throw new UsageError("the value is not a 64-bit integer (--type int)");
      return { type: "int", text: BigInt(t).toString() };
    }
    case "float": {
      const t = text.trim();
      if (goParseFloat(t) === null) throw new UsageError("the value is not a number (--type float)");
      return { type: "float", text: t };
    }
    case "bool": {
      const b = goParseBool(text.trim());
      if (b === null) throw new UsageError("the value is not a boolean (--type bool: true or false)");
      return { type: "bool", value: b };
    }
    case "json": {
      let node: JsonNode;
      try {
        node = scanJson(text);
      } catch (err) {
        const where = err instanceof FormatError && err.line !== undefined ? ` (line ${err.line}, column ${err.column ?? 1})` : "";
        throw new UsageError(`the value is not valid JSON (--type json)${where}`);
      }
      return fromJson(node);
    }
  }
}

export function fromJson(node: JsonNode): Typed {
  switch (node.kind) {
    case "string":
      return { type: "str", value: node.value };
    case "number":
      return !/[.eE]/.test(node.text) && isInt64(BigInt(node.text)) ? { type: "int", text: node.text } : { type: "float", text: node.text };
    case "literal":
      return node.value === null ? { type: "null" } : { type: "bool", value: node.value };
    case "array":
      return { type: "list", items: node.items.map(fromJson) };
    case "object":
      return { type: "map", entries: node.members.map((m) => [m.key, fromJson(m.value)] as const) };
  }
}

/** The value as the YAML and JSON readers of the verification step see it (ints as BigInt). */
export function typedToJs(v: Typed): unknown {
  switch (v.type) {
    case "str":
      return v.value;
    case "int":
      return BigInt(v.text);
    case "float":
      return goParseFloat(v.text);
    case "bool":
      return v.value;
    case "null":
      return null;
    case "list":
      return v.items.map(typedToJs);
    case "map":
      return Object.fromEntries(v.entries.map(([k, x]) => [k, typedToJs(x)]));
  }
}

/** Compact JSON with `, ` and `: ` separators; `str` writes a string in the target's syntax. */
export function flowText(v: Typed, str: (s: string, isKey: boolean) => string, scalarText: (v: Typed) => string): string {
  switch (v.type) {
    case "list":
      return "[" + v.items.map((x) => flowText(x, str, scalarText)).join(", ") + "]";
    case "map":
      return "{" + v.entries.map(([k, x]) => str(k, true) + ": " + flowText(x, str, scalarText)).join(", ") + "}";
    case "str":
      return str(v.value, false);
    default:
      return scalarText(v);
  }
}

/** JSON text of a decoded YAML/JSON value, keeping BigInt digits (what `get` prints for a collection). */
export function jsonOf(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return "null";
  if (Array.isArray(value)) return "[" + value.map(jsonOf).join(",") + "]";
  if (value instanceof Map) return "{" + [...value].map(([k, v]) => JSON.stringify(String(k)) + ":" + jsonOf(v)).join(",") + "}";
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return (
      "{" +
      Object.entries(value)
        .map(([k, v]) => JSON.stringify(k) + ":" + jsonOf(v))
        .join(",") +
      "}"
    );
  }
  // JSON.stringify returns undefined (its types say string) for a function or a symbol.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  return JSON.stringify(value) ?? "null";
}
