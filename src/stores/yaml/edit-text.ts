/**
 * YAML text for a value `set` writes: scalars in a style that reads back as the same value and type
 * (go-yaml v3 and YAML 1.1/1.2 readers alike), collections in flow style, new entries as block lines.
 */
import { scalar } from "../../core/tree.js";
import { blockText, isSafePlain, nativeText, quoteDouble, quoteSingle } from "./scalar.js";
import type { KeyPath } from "../edit/key-path.js";
import { flowText, type Typed } from "../edit/typed.js";

/** Scalar styles as the `yaml` package names them. */
export type Style = "PLAIN" | "QUOTE_SINGLE" | "QUOTE_DOUBLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED";

export function yamlKey(key: string, inFlow: boolean): string {
  return isSafePlain(key, inFlow, false) ? key : quoteDouble(key);
}

/** A one-line string in the old value's style where that style can carry it. */
export function yamlString(s: string, style: Style | undefined, inFlow: boolean): string {
  if (style === "QUOTE_SINGLE") return quoteSingle(s) ?? quoteDouble(s);
  if (style === "QUOTE_DOUBLE") return quoteDouble(s);
  return isSafePlain(s, inFlow, false) ? s : quoteDouble(s);
}

function nonString(v: Typed): string {
  switch (v.type) {
    case "int":
      return v.text;
    case "float":
      return nativeText(scalar("float", v.text));
    case "bool":
      return v.value ? "true" : "false";
    default:
      return "null";
  }
}

/** The value on one line (flow style for collections). */
export function yamlFlow(v: Typed, style: Style | undefined, inFlow: boolean): string {
  if (v.type === "str") return yamlString(v.value, style, inFlow);
  return flowText(v, (s, isKey) => (isKey ? yamlKey(s, true) : yamlString(s, undefined, true)), nonString);
}

/**
 * A multi-line string as a block scalar that replaces one (`head` + line break + body), or null when
 * a block cannot carry it exactly; the body is indented like the old one.
 */
export function yamlBlock(s: string, style: Style, lineIndent: number, bodyIndent: number, eol: string): string | null {
  const block = blockText(s, { folded: style === "BLOCK_FOLDED", baseIndent: lineIndent, bodyIndent, eol });
  return block === null ? null : block.head + eol + block.body;
}

/** Lines for a new entry `keys[0]: …` at `column`, with maps created for the rest of the keys. */
export function blockEntry(keys: KeyPath, value: string, column: number, eol: string): string {
  const [key, ...rest] = keys;
  const pad = " ".repeat(column);
  if (rest.length === 0) return `${pad}${yamlKey(key!, false)}: ${value}${eol}`;
  return `${pad}${yamlKey(key!, false)}:${eol}` + blockEntry(rest, value, column + 2, eol);
}

/** A new list item `- …` at `column`; `rest` are keys of maps created inside it. */
export function blockItem(rest: KeyPath, value: string, column: number, eol: string): string {
  const pad = " ".repeat(column);
  if (rest.length === 0) return `${pad}- ${value}${eol}`;
  return `${pad}- ` + blockEntry(rest, value, column + 2, eol).slice(column + 2);
}

/** A flow entry: `key: value` with maps created for the rest of the keys (`{k: v}`). */
export function flowEntry(keys: KeyPath, value: string): string {
  let out = value;
  for (let i = keys.length - 1; i >= 1; i--) out = `{${yamlKey(keys[i]!, true)}: ${out}}`;
  return `${yamlKey(keys[0]!, true)}: ${out}`;
}
