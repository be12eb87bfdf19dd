/**
 * get/set/unset on JSON text: one splice of the original text (a value's characters, a new member
 * written with the object's own indentation, or a removed member with its comma), checked by
 * decoding the result, so the rest of the file keeps every byte.
 */
import { UsageError } from "../../core/errors.js";
import { scanJson, type JsonMember, type JsonNode } from "./scanner.js";
import { listIndex, showKeyPath, type KeyPath } from "../edit/key-path.js";
import { applySplice, cannotEdit, REMOVED, sameDocument, withValue, type EditOutcome, type Got, type PlaintextEditor, type Splice } from "../edit/editor.js";
import { flowText, jsonOf, typedToJs, type Typed } from "../edit/typed.js";
import { eolOf } from "../eol.js";

type Container = JsonNode & { kind: "object" | "array" };

type Found =
  | { readonly kind: "found"; readonly parent: Container; readonly index: number; readonly node: JsonNode }
  | { readonly kind: "missing"; readonly parent: Container; readonly depth: number }
  | { readonly kind: "blocked"; readonly why: string }
  /** The path runs into a null at `depth`: `set` replaces it with objects holding the rest. */
  | { readonly kind: "null"; readonly node: JsonNode; readonly depth: number };

function locate(root: JsonNode, path: KeyPath): Found {
  let node = root;
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth]!;
    const here = showKeyPath(path.slice(0, depth)) || "the document";
    let index: number;
    if (node.kind === "object") {
      index = node.members.findLastIndex((m) => m.key === segment);
      if (index === -1) return { kind: "missing", parent: node, depth };
    } else if (node.kind === "array") {
      const i = listIndex(segment, node.items.length);
      if (i === null) throw new UsageError(`${here} is a list; "${segment}" is not an index`);
      if (i > node.items.length) return { kind: "blocked", why: `${here} has ${node.items.length} items; index ${i} is out of range` };
      if (i === node.items.length) return { kind: "missing", parent: node, depth };
      index = i;
    } else if (node.kind === "literal" && node.value === null && depth > 0) {
      return { kind: "null", node, depth };
    } else {
      return { kind: "blocked", why: `${here} holds a single value, so it has no key "${segment}"` };
    }
    const child = node.kind === "object" ? node.members[index]!.value : node.items[index]!;
    if (depth === path.length - 1) return { kind: "found", parent: node, index, node: child };
    node = child;
  }
  throw new UsageError("the key path is empty");
}

/** The decoded value (ints as BigInt, as in the YAML editor) for checking an edit. */
function toJs(node: JsonNode): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(node.members.map((m) => [m.key, toJs(m.value)]));
    case "array":
      return node.items.map(toJs);
    case "string":
      return node.value;
    case "literal":
      return node.value;
    case "number":
      return /[.eE]/.test(node.text) ? Number(node.text) : BigInt(node.text);
  }
}

/** What `get` prints for the value at `path`; undefined when there is none. */
export function jsonGet(text: string, path: KeyPath): string | undefined {
  return jsonGetTyped(text, path)?.text;
}

/** The value's text as `jsonGet` gives it, and whether it is a string. */
export function jsonGetTyped(text: string, path: KeyPath): Got | undefined {
  const found = locate(scanJson(text), path);
  if (found.kind !== "found") return undefined;
  const node = found.node;
  if (node.kind === "string") return { text: node.value, string: true };
  if (node.kind === "number") return { text: node.text, string: false };
  if (node.kind === "literal") return { text: String(node.value), string: false };
  return { text: jsonOf(toJs(node)), string: false };
}

function jsonScalar(v: Typed): string {
  switch (v.type) {
    case "int":
      return v.text;
    case "float": {
      if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(v.text)) return /[.eE]/.test(v.text) ? v.text : v.text + ".0";
      const n = Number(v.text.replace(/^\+/, ""));
      if (!Number.isFinite(n)) throw new UsageError("JSON has no infinity or NaN");
      const s = String(n);
      return /[.eE]/.test(s) ? s : s + ".0";
    }
    case "bool":
      return String(v.value);
    default:
      return "null";
  }
}

function jsonText(v: Typed): string {
  return flowText(v, (s) => JSON.stringify(s), jsonScalar);
}

export const jsonEditor: PlaintextEditor = {
  set(text, path, value) {
    const root = scanJson(text);
    const before = toJs(root);
    const expected = withValue(before, path, typedToJs(value));
    if (sameDocument(before, expected)) return { text, changed: false };
    const found = locate(root, path);
    if (found.kind === "blocked") throw new UsageError(found.why);
    const splice =
      found.kind === "found" || found.kind === "null"
        ? { start: found.node.start, end: found.node.end, text: found.kind === "null" ? wrapped(path.slice(found.depth), jsonText(value)) : jsonText(value) }
        : insertion(text, found, path, value);
    return { text: checked(text, splice, expected, path), changed: true };
  },
  unset(text, path): EditOutcome | null {
    const root = scanJson(text);
    const found = locate(root, path);
    if (found.kind !== "found") return null;
    return { text: checked(text, removal(found), withValue(toJs(root), path, REMOVED), path), changed: true };
  },
};

function checked(text: string, splice: Splice, expected: unknown, path: KeyPath): string {
  const out = applySplice(text, splice);
  if (!sameDocument(toJs(scanJson(out)), expected)) throw cannotEdit(path, "the result would not read back as intended (duplicate keys may be involved)");
  return out;
}

/** `body` inside objects keyed by `keys`. */
function wrapped(keys: KeyPath, body: string): string {
  return keys.reduceRight((inner, key) => `{${JSON.stringify(key)}: ${inner}}`, body);
}

function starts(parent: Container): number[] {
  return parent.kind === "object" ? parent.members.map((m: JsonMember) => m.keyStart) : parent.items.map((n) => n.start);
}

function ends(parent: Container): number[] {
  return parent.kind === "object" ? parent.members.map((m: JsonMember) => m.value.end) : parent.items.map((n) => n.end);
}

function insertion(text: string, found: Found & { kind: "missing" }, path: KeyPath, value: Typed): Splice {
  const parent = found.parent;
  const rest = path.slice(found.depth);
  const body = wrapped(rest.slice(1), jsonText(value));
  const s = starts(parent);
  const last = parent.kind === "object" ? parent.members[parent.members.length - 1] : undefined;
  // Key and value separated as in the file's last member (`": "` or `":"`).
  const colon = last === undefined ? ": " : text.slice(text.lastIndexOf(":", last.value.start), last.value.start);
  const entry = parent.kind === "object" ? `${JSON.stringify(rest[0])}${colon}${body}` : body;
  const e = ends(parent);
  if (s.length === 0) {
    const nl = eolOf(text);
    // An empty top-level object becomes a multi-line one; an empty nested one stays on its line.
    const inner = parent.start === scanJson(text).start ? `${nl}  ${entry}${nl}` : entry;
    return { start: parent.start + 1, end: parent.end - 1, text: inner };
  }
  // The whitespace before the last entry says how a new one is laid out (newline + indentation, or a space).
  const prevEnd = s.length > 1 ? text.indexOf(",", e[e.length - 2]) + 1 : parent.start + 1;
  const lead = text.slice(prevEnd, s[s.length - 1]);
  const nl = lead.lastIndexOf("\n");
  const gap = nl === -1 ? (s.length > 1 ? lead : " ") : lead.slice(nl > 0 && lead[nl - 1] === "\r" ? nl - 1 : nl);
  const at = e[e.length - 1]!;
  return { start: at, end: at, text: "," + gap + entry };
}

function removal(found: Found & { kind: "found" }): Splice {
  const s = starts(found.parent);
  const e = ends(found.parent);
  const i = found.index;
  if (s.length === 1) return { start: found.parent.start + 1, end: found.parent.end - 1, text: "" };
  // Not last: cut up to the next entry (the comma goes with it). Last: cut from the previous entry's end.
  if (i < s.length - 1) return { start: s[i]!, end: s[i + 1]!, text: "" };
  return { start: e[i - 1]!, end: e[i]!, text: "" };
}
