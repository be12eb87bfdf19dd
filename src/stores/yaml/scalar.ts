/**
 * Scalar text: how a value is written back into a YAML file so that go-yaml v3 (and YAML 1.1 and 1.2
 * readers) read the same value and type. Plain style only when nothing can mistake it for another
 * type; otherwise the quoting the scalar already had, or double quotes with JSON-style escapes.
 */
import { goParseBool, goParseFloat } from "../../core/go-number.js";
import { scalarText, type Scalar } from "../../core/tree.js";
import { resolvePlain } from "./resolve.js";

// c-printable minus the characters YAML 1.1 (go-yaml's scanner) treats as line breaks or a BOM.
const PRINTABLE = /^[\t\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
const PRINTABLE_LINES = /^[\n\t\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_NULL = /^(~|null|Null|NULL)$/;
const YAML11_INT = /^[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$/;
// PyYAML's reading of the YAML 1.1 float, the one real parsers use (it leaves `1.2.3` a string).
const YAML11_FLOAT =
  /^([-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9_]+([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const YAML12_INT = /^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

/** True when `s` written without quotes reads back as exactly the string `s`. */
export function isSafePlain(s: string, flow: boolean, strTagged: boolean): boolean {
  if (s === "" || !PRINTABLE.test(s) || s.includes("\t")) return false;
  if (/^\s|\s$/.test(s) || s.includes(": ") || s.includes(" #") || s.endsWith(":")) return false;
  if (s.startsWith("---") || s.startsWith("...")) return false;
  const first = s[0]!;
  if (INDICATORS.includes(first)) {
    // `-`, `?` and `:` may start a plain scalar when a non-space follows.
    const next = s[1];
    if (!"-?:".includes(first) || next === undefined || next === " " || (flow && ",[]{}".includes(next))) return false;
  }
  if (flow && /[,[\]{}]/.test(s)) return false;
  if (strTagged) return true;
  if (resolvePlain(s).type !== "str") return false;
  return !(YAML11_BOOL.test(s) || YAML11_NULL.test(s) || YAML11_INT.test(s) || YAML11_FLOAT.test(s) || YAML12_INT.test(s));
}

/** A double-quoted scalar with JSON escapes, plus escapes for YAML 1.1's extra line breaks. */
export function quoteDouble(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** A single-quoted scalar, or null when the value needs escapes (line breaks, control characters). */
export function quoteSingle(s: string): string | null {
  return PRINTABLE.test(s) ? "'" + s.replaceAll("'", "''") + "'" : null;
}

/**
 * The plain text of a typed non-string value, as go-yaml reads it back with the same type:
 * bools in YAML spelling, floats that would read as ints get `.0`, infinities and NaN as `.inf`/`.nan`.
 */
export function nativeText(value: Scalar): string {
  const text = scalarText(value);
  switch (value.type) {
    case "null":
      return "null";
    case "bool":
      if (text === "True" || text === "False") return text.toLowerCase();
      if (resolvePlain(text).type === "bool") return text;
      return goParseBool(text) === true ? "true" : "false";
    case "float": {
      const f = goParseFloat(text);
      if (f === null || Number.isNaN(f)) return ".nan";
      if (f === Number.POSITIVE_INFINITY) return ".inf";
      if (f === Number.NEGATIVE_INFINITY) return "-.inf";
      return resolvePlain(text).type === "float" ? text : text + ".0";
    }
    default:
      return text;
  }
}

export interface BlockText {
  /** The header after the key: indicator, optional indentation digit, chomping. */
  readonly head: string;
  /** The body lines, each ending with the line break. */
  readonly body: string;
}

export interface BlockPlace {
  readonly folded: boolean;
  /** The indentation the YAML parser uses as the base of the indentation indicator. */
  readonly baseIndent: number;
  readonly bodyIndent: number;
  readonly eol: string;
}

/** A literal or folded block for `s`, or null when a block cannot carry it exactly. */
export function blockText(s: string, place: BlockPlace): BlockText | null {
  if (!PRINTABLE_LINES.test(s)) return null;
  const content = s.replace(/\n+$/, "");
  const trailing = s.length - content.length;
  if (content === "") return null;
  const lines = content.split("\n");
  if (lines.some((l) => l !== "" && /^[ \t]*$/.test(l))) return null;
  // Folding does not apply next to more-indented lines; a literal block keeps those exactly.
  const folded = place.folded && !lines.some((l) => /^[ \t]/.test(l));
  let indicator = "";
  if (lines.find((l) => l !== "")!.startsWith(" ")) {
    const d = place.bodyIndent - place.baseIndent;
    if (d < 1 || d > 9) return null;
    indicator = String(d);
  }
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const pad = " ".repeat(place.bodyIndent);
  const eol = place.eol;
  let body = "";
  let seenContent = false;
  for (const line of lines) {
    if (line === "") {
      body += eol;
      continue;
    }
    // In a folded block one line break between two text lines reads as a space: write each as an empty line.
    if (folded && seenContent) body += eol;
    body += pad + line + eol;
    seenContent = true;
  }
  body += eol.repeat(Math.max(0, trailing - 1));
  return { head: (folded ? ">" : "|") + indicator + chomp, body };
}

/** The block that holds a single ENC string (strip chomping, no trailing newline). */
export function encBlock(text: string, place: BlockPlace): BlockText {
  return { head: (place.folded ? ">" : "|") + "-", body: " ".repeat(place.bodyIndent) + text + place.eol };
}
