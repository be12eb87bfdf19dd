/**
 * Scalar typing as go-yaml v3 (resolve.go) does it. sops decodes YAML with that library, so its
 * rules decide a value's `type:` and, for unencrypted values, the bytes the MAC hashes. The rules are
 * applied to the scalar's text, never to a JS value, so nothing is lost to JS number precision.
 */
import { goFormatFloat, goParseFloat, isInt64 } from "../../core/go-number.js";
import type { ValueType } from "../../core/tree.js";
import { goYamlTimestamp } from "./timestamp.js";

/**
 * A typed scalar: `text` is what becomes the leaf's bytes. `time` is set for a plain timestamp
 * (a string here, a Go time.Time to sops): the MarshalText sops hashes when it stays unencrypted.
 */
export type Resolution = { readonly type: ValueType; readonly text: string; readonly time?: string } | { readonly type: "error"; readonly reason: string };

/** The yaml.org tags that decide a type; any other tag leaves the scalar to its text. */
export type CoreTag = "str" | "int" | "float" | "bool" | "null";

const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL_INT = /^[-+]?(0|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
// strconv.ParseInt(s, 0, 64) syntax: sign, then a 0b / 0o / 0x / leading-0 octal or decimal body.
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/;

const KEYWORDS = new Map<string, Resolution>();
for (const s of ["true", "True", "TRUE", "false", "False", "FALSE"]) KEYWORDS.set(s, { type: "bool", text: s });
for (const s of ["", "~", "null", "Null", "NULL"]) KEYWORDS.set(s, { type: "null", text: "" });
for (const s of [".nan", ".NaN", ".NAN"]) KEYWORDS.set(s, { type: "float", text: "NaN" });
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) KEYWORDS.set(s, { type: "float", text: "+Inf" });
for (const s of ["-.inf", "-.Inf", "-.INF"]) KEYWORDS.set(s, { type: "float", text: "-Inf" });

const UINT64: Resolution = { type: "error", reason: "integer between 2^63 and 2^64-1: sops cannot encrypt an unsigned 64-bit value" };

/** go-yaml v3 `resolve("", text)` for a plain (unquoted, untagged) scalar. */
export function resolvePlain(text: string): Resolution {
  const keyword = KEYWORDS.get(text);
  if (keyword !== undefined) return keyword;
  const first = text.charCodeAt(0);
  if (first === 0x2e /* . */) {
    return DOT_FLOAT.test(text) && Number.isFinite(Number(text)) ? { type: "float", text } : str(text);
  }
  const isDigit = first >= 0x30 && first <= 0x39;
  if (!isDigit && first !== 0x2b && first !== 0x2d) return str(text);
  const plain = text.replaceAll("_", "");
  const m = GO_INT.exec(plain);
  if (m !== null) {
    const value = goInt(m);
    if (value !== null && isInt64(value)) return { type: "int", text: DECIMAL_INT.test(text) ? text : value.toString() };
    // ParseUint takes no sign: an unsigned value that only fits uint64 is an error for sops.
    if (m[1] === "" && value !== null && value <= UINT64_MAX) return UINT64;
  }
  if (YAML_FLOAT.test(plain)) {
    const f = Number(plain);
    // strconv.ParseFloat fails on overflow, and go-yaml then keeps the text as a string.
    if (Number.isFinite(f)) return { type: "float", text: goParseFloat(text) !== null ? text : goFormatFloat(f) };
  }
  return str(text);
}

/** The value of a GO_INT match, or null when it is certainly beyond 64 bits. */
function goInt(m: RegExpExecArray): bigint | null {
  const [, sign, hex, bin, oct, legacyOct, dec] = m;
  let digits: string;
  let prefix: string;
  if (hex !== undefined) [digits, prefix] = [hex, "0x"];
  else if (bin !== undefined) [digits, prefix] = [bin, "0b"];
  else if (oct !== undefined) [digits, prefix] = [oct, "0o"];
  else if (legacyOct !== undefined) [digits, prefix] = [legacyOct === "" ? "0" : legacyOct, "0o"];
  else [digits, prefix] = [dec!, ""];
  digits = digits.replace(/^0+(?=.)/, "");
  if (digits.length > 70) return null; // over 64 binary digits in any base: out of range, skip the BigInt work
  const value = BigInt(prefix + digits);
  return sign === "-" ? -value : value;
}

function str(text: string): Resolution {
  return { type: "str", text };
}

/** `!!int`, `!<tag:yaml.org,2002:int>` → "int"; null for other tags. The non-specific `!` means string. */
export function coreTag(tag: string | null): CoreTag | null {
  if (tag === null) return null;
  if (tag === "!") return "str";
  const m = /^(?:!!|!<tag:yaml\.org,2002:)(str|int|float|bool|null)>?$/.exec(tag);
  if (m === null || tag.startsWith("!<") !== tag.endsWith(">")) return null;
  return m[1] as CoreTag;
}

/**
 * Types a scalar from its resolved text. Only untagged plain scalars are resolved; quoted and block
 * scalars are strings. A core tag decides the type and the text must parse as it, as go-yaml requires.
 */
export function typeScalar(value: string, plain: boolean, tag: string | null): Resolution {
  const core = coreTag(tag);
  if (core === "str") return str(value);
  if (core === null) return plain ? resolveTimestamp(resolvePlain(value)) : str(value);
  const r = resolvePlain(value);
  if (r.type === "error" || r.type === core) return r;
  // go-yaml turns an int under !!float into a float64; a decimal int text is a valid float text.
  if (core === "float" && r.type === "int") return { type: "float", text: r.text };
  return { type: "error", reason: `scalar does not match its !!${core} tag` };
}

/** go-yaml tries the timestamp layouts on plain scalars that no other rule claimed. */
function resolveTimestamp(r: Resolution): Resolution {
  if (r.type !== "str") return r;
  const ts = goYamlTimestamp(r.text);
  if (ts === null) return r;
  return "error" in ts ? { type: "error", reason: ts.error } : { type: "str", text: r.text, time: ts.text };
}
