/**
 * get/set/unset on YAML text. The document is parsed with source ranges; a change is one splice of
 * the original text (the value's own characters, a new entry's lines, or a removed entry's lines), so
 * comments, quoting and layout elsewhere stay as they were. Every result is parsed again and must
 * decode to the old document with exactly that one change, or the edit is refused.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { FormatError, UsageError } from "../../core/errors.js";
import { listIndex, showKeyPath, type KeyPath } from "../edit/key-path.js";
import {
  applySplice,
  cannotEdit,
  lineEndAfter,
  lineStartOf,
  REMOVED,
  sameDocument,
  withValue,
  type EditOutcome,
  type Got,
  type PlaintextEditor,
  type Splice,
} from "../edit/editor.js";
import { eolOf } from "../eol.js";
import { typedToJs, jsonOf, type Typed } from "../edit/typed.js";
import { blockEntry, blockItem, flowEntry, yamlBlock, yamlFlow } from "./edit-text.js";

const OPTIONS = { intAsBigInt: true, keepSourceTokens: true } as const;
type Collection = YAMLMap | YAMLSeq;

/** Where a key path leads: an existing value, the collection a missing key would go into, or a dead end. */
type Found =
  | { readonly kind: "found"; readonly parent: Collection; readonly index: number; readonly node: Node | null; readonly inFlow: boolean }
  | { readonly kind: "missing"; readonly parent: Collection | null; readonly depth: number; readonly inFlow: boolean }
  | { readonly kind: "blocked"; readonly why: string }
  /** The path runs into a null value at `depth`: `set` replaces it with maps holding the rest. */
  | { readonly kind: "null"; readonly at: Found & { kind: "found" }; readonly depth: number };

function parseSingle(text: string): Document.Parsed {
  const docs = parseAllDocuments(text, OPTIONS);
  if (docs.length > 1)
    throw new UsageError(`the file holds ${docs.length} YAML documents; get, set and unset work on single-document files`, { hint: "use `kmseal edit`" });
  const doc = docs[0] ?? parseDocument(text, OPTIONS);
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = err.linePos?.[0];
    throw new FormatError(err.message.split("\n")[0]!, pos === undefined ? {} : { line: pos.line, column: pos.col });
  }
  return doc;
}

function keyMatches(key: unknown, segment: string): boolean {
  return isScalar(key) && (String(key.value) === segment || key.source === segment);
}

function locate(doc: Document.Parsed, path: KeyPath, resolveAliases: boolean): Found {
  let node: unknown = doc.contents;
  let inFlow = false;
  let at: (Found & { kind: "found" }) | null = null;
  for (let depth = 0; depth < path.length; depth++) {
    if (isAlias(node)) {
      if (!resolveAliases) throw cannotEdit(path, `${showKeyPath(path.slice(0, depth))} is an alias (*${node.source})`);
      node = node.resolve(doc);
    }
    const segment = path[depth]!;
    const here = showKeyPath(path.slice(0, depth));
    if ((node === null || node === undefined) && depth === 0) return { kind: "missing", parent: null, depth, inFlow };
    if (isMap(node)) {
      inFlow ||= node.flow === true;
      const index = node.items.findLastIndex((p) => keyMatches(p.key, segment));
      if (index === -1) return { kind: "missing", parent: node, depth, inFlow };
      at = { kind: "found", parent: node, index, node: (node.items[index]!.value as Node | null) ?? null, inFlow };
      if (depth === path.length - 1) return at;
      node = node.items[index]!.value;
    } else if (isSeq(node)) {
      inFlow ||= node.flow === true;
      const index = listIndex(segment, node.items.length);
      if (index === null) throw new UsageError(`${here || "the document"} is a list; "${segment}" is not an index`);
      if (index > node.items.length) return { kind: "blocked", why: `${here} has ${node.items.length} items; index ${index} is out of range` };
      if (index === node.items.length) return { kind: "missing", parent: node, depth, inFlow };
      at = { kind: "found", parent: node, index, node: (node.items[index] as Node | null) ?? null, inFlow };
      if (depth === path.length - 1) return at;
      node = node.items[index];
    } else if (at !== null && (node === null || (isScalar(node) && node.value === null))) {
      return { kind: "null", at, depth };
    } else {
      return { kind: "blocked", why: `${here || "the document"} holds a single value, so it has no key "${segment}"` };
    }
  }
  throw new UsageError("the key path is empty");
}

/** What `get` prints for the value at `path`; undefined when there is none. */
export function yamlGet(text: string, path: KeyPath): string | undefined {
  return yamlGetTyped(text, path)?.text;
}

/** The value's text as `yamlGet` gives it, and whether it is a string (sops's `--extract` prints those bare). */
export function yamlGetTyped(text: string, path: KeyPath): Got | undefined {
  const doc = parseSingle(text);
  const found = locate(doc, path, true);
  if (found.kind !== "found") return undefined;
  const node = isAlias(found.node) ? found.node.resolve(doc) : found.node;
  const other = (t: string): Got => ({ text: t, string: false });
  if (node === null || node === undefined) return other("null");
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return { text: v, string: true };
    if (typeof v === "boolean") return other(String(v));
    if (v === null || v === undefined) return other("null");
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value is a primitive or a Date here, and String() is the text kmseal has always shown for it
    return other(node.type === "PLAIN" && node.source !== undefined ? node.source : String(v));
  }
  return other(jsonOf(node.toJS(doc)));
}

export const yamlEditor: PlaintextEditor = {
  set(text, path, value) {
    const doc = parseSingle(text);
    const before: unknown = doc.toJS();
    const expected = withValue(before, path, typedToJs(value));
    if (sameDocument(before, expected)) return { text, changed: false };
    const found = locate(doc, path, false);
    if (found.kind === "blocked") throw new UsageError(found.why);
    const candidates =
      found.kind === "found"
        ? replacements(text, found, value)
        : found.kind === "null"
          ? replacements(text, found.at, nested(path.slice(found.depth), value))
          : [insertion(text, doc, found, path, value)];
    return { text: firstValid(text, candidates, expected, path), changed: true };
  },
  unset(text, path): EditOutcome | null {
    const doc = parseSingle(text);
    const found = locate(doc, path, false);
    if (found.kind !== "found") return null;
    const expected = withValue(doc.toJS(), path, REMOVED);
    return { text: firstValid(text, [removal(text, found)], expected, path), changed: true };
  },
};

function firstValid(text: string, candidates: readonly Splice[], expected: unknown, path: KeyPath): string {
  for (const splice of candidates) {
    const out = applySplice(text, splice);
    let after: unknown;
    try {
      after = parseSingle(out).toJS();
    } catch {
      continue;
    }
    if (sameDocument(after, expected)) return out;
  }
  throw cannotEdit(path, "the result would not read back as intended (a YAML anchor, alias or tag may be involved)");
}

/** `value` inside maps keyed by `keys`. */
function nested(keys: KeyPath, value: Typed): Typed {
  return keys.reduceRight<Typed>((inner, key) => ({ type: "map", entries: [[key, inner]] }), value);
}

/** Splices that replace an existing value, best-looking first. */
function replacements(text: string, found: Found & { kind: "found" }, value: Typed): Splice[] {
  const node = found.node;
  const eol = eolOf(text);
  if (node === null || !(isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) || node.range == null) {
    // `key:` with nothing after it: the value goes after the colon.
    const pair = found.parent.items[found.index] as Pair<Node, Node | null>;
    // The cast above types the key as a Node; a pair parsed from `: value` has a null key at run time.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    const at = pair.key !== null && isScalar(pair.key) && pair.key.range != null ? text.indexOf(":", pair.key.range[1]) + 1 : -1;
    if (at <= 0) throw new UsageError("cannot find where the value goes");
    return [{ start: at, end: at, text: " " + yamlFlow(value, undefined, found.inFlow) }];
  }
  const [start, end] = node.range;
  if (start === end) {
    const pad = /[ \t]/.test(text[start - 1] ?? "") ? "" : " ";
    const after = text[start] === "#" ? " " : "";
    return [{ start, end, text: pad + yamlFlow(value, undefined, found.inFlow) + after }];
  }
  const style = isScalar(node) ? node.type : undefined;
  // A block scalar's range ends with its line break(s); what replaces it ends with one.
  const tail = /\n$/.test(text.slice(start, end)) ? eol : "";
  const out: Splice[] = [];
  if (value.type === "str" && (style === "BLOCK_LITERAL" || style === "BLOCK_FOLDED")) {
    const lineStart = lineStartOf(text, start);
    const lineIndent = /^ */.exec(text.slice(lineStart))![0].length;
    const body = text.slice(lineEndAfter(text, start), end);
    const bodyIndent = /^ *(?=\S)/m.exec(body)?.[0].length ?? lineIndent + 2;
    const block = yamlBlock(value.value, style, lineIndent, bodyIndent, eol);
    if (block !== null) out.push({ start, end, text: block });
  }
  const oneLine = value.type === "str" && value.value.includes("\n") ? "QUOTE_DOUBLE" : style;
  out.push({ start, end, text: yamlFlow(value, oneLine, found.inFlow) + tail });
  if (oneLine !== "QUOTE_DOUBLE" && value.type === "str") out.push({ start, end, text: yamlFlow(value, "QUOTE_DOUBLE", found.inFlow) + tail });
  return out;
}

/** The splice that adds a missing key (and any maps on the way to it). */
function insertion(text: string, doc: Document.Parsed, found: Found & { kind: "missing" }, path: KeyPath, value: Typed): Splice {
  const eol = eolOf(text);
  const rest = path.slice(found.depth);
  const parent = found.parent;
  const flowValue = yamlFlow(value, undefined, found.inFlow);
  if (parent === null) {
    if (doc.contents !== null) throw new UsageError("the document is a single value, not a mapping");
    const lead = text !== "" && !text.endsWith("\n") ? eol : "";
    return { start: text.length, end: text.length, text: lead + blockEntry(rest, yamlFlow(value, undefined, false), 0, eol) };
  }
  const isList = isSeq(parent);
  if (parent.flow === true) {
    const entry = isList ? (rest.length === 1 ? flowValue : flowEntry(rest.slice(1), flowValue).replace(/^/, "{") + "}") : flowEntry(rest, flowValue);
    const last = parent.items[parent.items.length - 1];
    if (last === undefined) return { start: parent.range![0] + 1, end: parent.range![0] + 1, text: entry };
    const at = endOf(last);
    return { start: at, end: at, text: ", " + entry };
  }
  const first = parent.items[0];
  if (first === undefined || parent.range == null) throw new UsageError("cannot find where the new value goes");
  const column = startOf(text, parent, 0) - lineStartOf(text, startOf(text, parent, 0));
  const at = lineEndAfter(text, parent.range[1]);
  const lead = at === text.length && !text.endsWith("\n") ? eol : "";
  const lines = isList
    ? blockItem(rest.slice(1), yamlFlow(value, undefined, false), column, eol)
    : blockEntry(rest, yamlFlow(value, undefined, false), column, eol);
  return { start: at, end: at, text: lead + lines };
}

/** The splice that removes the entry at `found`. */
function removal(text: string, found: Found & { kind: "found" }): Splice {
  const parent = found.parent;
  const i = found.index;
  const eol = eolOf(text);
  if (parent.items.length === 1 && parent.range != null) {
    const [start, end] = parent.range;
    const tail = /\n$/.test(text.slice(start, end)) ? eol : "";
    return { start, end, text: (isSeq(parent) ? "[]" : "{}") + tail };
  }
  if (parent.flow === true) {
    if (i < parent.items.length - 1) return { start: startOf(text, parent, i), end: startOf(text, parent, i + 1), text: "" };
    return { start: endOf(parent.items[i - 1]), end: endOf(parent.items[i]), text: "" };
  }
  const start = startOf(text, parent, i);
  const lineStart = lineStartOf(text, start);
  if (/^[ \t]*$/.test(text.slice(lineStart, start))) return { start: lineStart, end: lineEndAfter(text, endOf(parent.items[i])), text: "" };
  // The first entry of a map that starts on a `- ` line: the next entry moves up to its place.
  return { start, end: startOf(text, parent, i + 1), text: "" };
}

/** Where item `i` of a collection starts: its key, or its `-` indicator. */
function startOf(text: string, parent: Collection, i: number): number {
  const item = parent.items[i];
  if (isPair(item)) {
    const key = item.key as Node | null;
    if (key?.range != null) return key.range[0];
  } else if (isSeq(parent) && parent.flow !== true) {
    const token = parent.srcToken;
    if (token?.type === "block-seq") {
      const ind = token.items[i]?.start.find((t) => t.type === "seq-item-ind");
      if (ind !== undefined) return ind.offset;
    }
  } else if (item !== null && typeof item === "object" && "range" in item && (item as Node).range != null) {
    return (item as Node).range![0];
  }
  throw new UsageError("cannot find where the entry starts");
}

/** Where an item's value ends. */
function endOf(item: unknown): number {
  if (isPair(item)) {
    const v = item.value as Node | null;
    if (v?.range != null) return v.range[1];
    const k = item.key as Node | null;
    if (k?.range != null) return k.range[1];
  } else if (item !== null && typeof item === "object" && "range" in item && (item as Node).range != null) {
    return (item as Node).range![1];
  }
  throw new UsageError("cannot find where the entry ends");
}
