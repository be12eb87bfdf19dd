/**
 * The JSON store. Values are replaced in the original text, so everything that is not a value
 * (whitespace, key spelling, member order) survives a round trip byte for byte. The `sops` block is
 * the last member of the top-level object, indented like the file's own members.
 */
import { FormatError } from "../../core/errors.js";
import { isInt64 } from "../../core/go-number.js";
import type { PlainObject } from "../../core/metadata.js";
import { NULL, scalar, type Edit, type Leaf, type Scalar } from "../../core/tree.js";
import { formatJson, quoteJson, type JsonLayout } from "./format.js";
import { renderJsonScalar } from "./value.js";
import { metadataOf } from "./metadata.js";
import { positionOf, scanJson, type JsonMember, type JsonNode } from "./scanner.js";
import { eolOf } from "../eol.js";
import type { Store, StoreDocument } from "../store.js";

const SOPS_KEY = "sops";
const TRUE = scalar("bool", "True");
const FALSE = scalar("bool", "False");

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export const jsonStore: Store = {
  format: "json",
  parse(input: Uint8Array): StoreDocument {
    return parseJsonDocument(decodeJsonText(input));
  },
};

/** The file as text: UTF-8 without a byte order mark, as Go's decoder requires. */
function decodeJsonText(input: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
  } catch {
    throw new FormatError("the file is not valid UTF-8 text");
  }
  if (text.startsWith("\uFEFF")) throw new FormatError("the file starts with a byte order mark, which JSON does not allow", { line: 1, column: 1 });
  return text;
}

function parseJsonDocument(text: string): StoreDocument {
  const root = scanJson(text);
  if (root.kind !== "object") {
    const { line, column } = positionOf(text, root.start);
    throw new FormatError(`the top level of a JSON file must be an object (line ${line}, column ${column})`, { line, column });
  }
  const leaves: Leaf[] = [];
  const spans: { start: number; end: number }[] = [];
  const visit = (node: JsonNode, path: readonly string[]): void => {
    switch (node.kind) {
      case "object":
        for (const m of node.members) visit(m.value, [...path, m.key]);
        return;
      case "array":
        for (const item of node.items) visit(item, path);
        return;
      default:
        leaves.push({ kind: "value", path, value: scalarOf(node, text) });
        spans.push({ start: node.start, end: node.end });
    }
  };
  let sops: JsonMember | undefined;
  for (const member of root.members) {
    if (member.key !== SOPS_KEY) {
      visit(member.value, [member.key]);
      continue;
    }
    const { line, column } = positionOf(text, member.keyStart);
    if (sops !== undefined) throw new FormatError(`the top-level object has a second "sops" member (line ${line})`, { line, column });
    if (member.value.kind !== "object") throw new FormatError(`the top-level "sops" member is not an object (line ${line})`, { line, column });
    sops = member;
  }
  const metadata: unknown = sops === undefined ? null : metadataOf(sops.value, text);
  const members = root.members;

  return {
    leaves,
    metadata,
    render(edits: readonly (Edit | undefined)[], meta: PlainObject | null): Uint8Array {
      const splices: Splice[] = [];
      edits.forEach((edit, i) => {
        const span = spans[i];
        if (edit === undefined || span === undefined) return;
        splices.push({ ...span, text: edit.kind === "enc" ? quoteJson(edit.text) : edit.kind === "source" ? edit.text : renderJsonScalar(edit.value) });
      });
      const kept = members.filter((m) => m !== sops);
      if (sops !== undefined) splices.push(removal(members, sops, root.start));
      if (meta !== null) splices.push(insertion(kept, meta, root.start, layoutOf(text, root.start, members[0])));
      return Buffer.from(applySplices(text, splices), "utf8");
    },
    source(i: number): string | null {
      const span = spans[i];
      return span === undefined ? null : text.slice(span.start, span.end);
    },
  };
}

function scalarOf(node: JsonNode, text: string): Scalar {
  switch (node.kind) {
    case "string":
      return scalar("str", node.value);
    case "literal":
      return node.value === null ? NULL : node.value ? TRUE : FALSE;
    case "number":
      return numberScalar(node.text, node.start, text);
    default:
      throw new TypeError("not a scalar");
  }
}

/** sops (≥ 3.13.2) reads integers that fit int64 as int and every other number as float64. */
function numberScalar(digits: string, start: number, text: string): Scalar {
  if (!/[.eE]/.test(digits) && isInt64(BigInt(digits))) return scalar("int", digits);
  if (!Number.isFinite(Number(digits))) {
    const { line, column } = positionOf(text, start);
    throw new FormatError(`number out of range at line ${line}, column ${column}`, { line, column });
  }
  return scalar("float", digits);
}

/** The text to cut so that the `sops` member goes and the rest reads as before it was added. */
function removal(members: readonly JsonMember[], sops: JsonMember, objectStart: number): Splice {
  const i = members.indexOf(sops);
  const before = members[i - 1];
  const after = members[i + 1];
  // After a member: cut from the end of the previous value (its comma goes with the block).
  if (before !== undefined) return { start: before.value.end, end: sops.value.end, text: "" };
  // First of several: cut up to the next key, keeping the whitespace that led to this one.
  if (after !== undefined) return { start: sops.keyStart, end: after.keyStart, text: "" };
  return { start: objectStart + 1, end: sops.value.end, text: "" };
}

function insertion(kept: readonly JsonMember[], meta: PlainObject, objectStart: number, layout: JsonLayout): Splice {
  const member = layout.newline + layout.indent + quoteJson(SOPS_KEY) + ": " + formatJson(meta, layout);
  const last = kept[kept.length - 1];
  if (last === undefined) return { start: objectStart + 1, end: objectStart + 1, text: member };
  return { start: last.value.end, end: last.value.end, text: "," + member };
}

/**
 * The file's own layout, read from the whitespace before the first member: its indentation is one
 * unit. A file written on one line gets sops's layout (tabs).
 */
function layoutOf(text: string, objectStart: number, first: JsonMember | undefined): JsonLayout {
  const newline = eolOf(text);
  const lead = first === undefined ? "" : text.slice(objectStart + 1, first.keyStart);
  const nl = lead.lastIndexOf("\n");
  const indent = nl === -1 ? "\t" : lead.slice(nl + 1);
  return { indent, unit: indent === "" ? "\t" : indent, newline };
}

function applySplices(text: string, splices: Splice[]): string {
  splices.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const s of splices) {
    if (s.start < at) throw new Error("internal error: overlapping JSON edits");
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}
