/**
 * Reading the `yaml` package's CST tokens: node properties, scalar values and styles, mapping keys,
 * and error positions. Shared by the document walk and the alias expansion.
 */
import { CST } from "yaml";
import { FormatError } from "../../core/errors.js";
import { typeScalar } from "./resolve.js";

export type Style = "plain" | "double" | "single" | "literal" | "folded";
export type ScalarToken = CST.FlowScalar | CST.BlockScalar;

/** The anchor and tag written before a node (they sit in the item's `start`/`sep` tokens). */
export interface Props {
  anchor: string | null;
  tag: CST.SourceToken | null;
  /** Offset of a block sequence's `-` when the props came from a sequence item. */
  dash: number;
}

export function emptyProps(): Props {
  return { anchor: null, tag: null, dash: -1 };
}

export function isScalarToken(token: CST.Token): token is ScalarToken {
  return token.type === "scalar" || token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar" || token.type === "block-scalar";
}

/** The scalar's value; errors in it were already reported by the composer. */
export function scalarValue(token: ScalarToken): string {
  const s = token.source;
  // Single-line scalars without escapes are their own text: skip the library's resolver (the hot path).
  if (!s.includes("\n") && !s.includes("\r")) {
    if (token.type === "scalar" && !/[ \t]$/.test(s)) return s;
    if (token.type === "double-quoted-scalar" && s.length >= 2 && s.endsWith('"') && !s.includes("\\")) return s.slice(1, -1);
    if (token.type === "single-quoted-scalar" && s.length >= 2 && s.indexOf("'", 1) === s.length - 1) return s.slice(1, -1);
  }
  return CST.resolveAsScalar(token, false, () => undefined).value;
}

export function styleOf(token: ScalarToken): Style {
  switch (token.type) {
    case "scalar":
      return "plain";
    case "double-quoted-scalar":
      return "double";
    case "single-quoted-scalar":
      return "single";
    case "block-scalar":
      return blockHeader(token).source.startsWith(">") ? "folded" : "literal";
    default:
      throw new TypeError("an alias has no scalar style");
  }
}

export function blockHeader(token: CST.BlockScalar): CST.SourceToken {
  const header = token.props.find((p): p is CST.SourceToken => p.type === "block-scalar-header");
  if (header === undefined) throw new TypeError("block scalar without a header");
  return header;
}

/** A block scalar body's indentation: from the indentation indicator, else from its first non-empty line. */
export function bodyIndent(token: CST.BlockScalar, header: CST.SourceToken): number {
  const digit = /[1-9]/.exec(header.source);
  if (digit !== null) return token.indent + Number(digit[0]);
  const m = /^( *)[^ \r\n]/m.exec(token.source);
  return m !== null ? m[1]!.length : token.indent + 2;
}

/** 1-based line and column of an offset (computed only when an error is raised). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function failAt(text: string, offset: number, message: string): never {
  throw new FormatError(message, lineColumn(text, offset));
}

/**
 * A mapping key as the string sops uses in key paths. Keys must be strings: a plain key that reads
 * as null, bool, int or float is rejected, as are collections and aliases in key position.
 */
export function keyString(text: string, key: CST.Token | null | undefined, tag: CST.SourceToken | null, at: number): string {
  if (key === null || key === undefined) failAt(text, at, "mapping has an empty (null) key: keys must be strings");
  if (key.type === "alias") failAt(text, key.offset, "an alias as a mapping key is not supported");
  if (!isScalarToken(key)) failAt(text, key.offset, "mapping has a non-string key (a collection)");
  const value = scalarValue(key);
  const r = typeScalar(value, key.type === "scalar", tag?.source ?? null);
  if (r.type !== "str" || r.time !== undefined) {
    const kind = r.type === "error" ? "invalid" : r.type === "str" ? "timestamp" : r.type;
    failAt(text, key.offset, `mapping has a non-string key (${kind}): keys must be strings`);
  }
  return value;
}

/** The end offset of a token's own text. */
export function tokenEnd(token: { offset: number; source: string }): number {
  return token.offset + token.source.length;
}
