/**
 * A decrypted document as the merge sees it: a tree of mappings and whole values (merge-tree.ts),
 * plus its comments in order, and the text edits that apply a merge's changes to it. YAML and JSON
 * are read as documents; a dotenv file is a mapping of variable names (as loaders read them) to
 * string values. Binary files have no structure and are not handled here.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";
import { UsageError } from "../../core/errors.js";
import { goParseFloat } from "../../core/go-number.js";
import { scalarText } from "../../core/tree.js";
import { dotenvStore } from "../../stores/dotenv/store.js";
import { scanJson, type JsonNode } from "../../stores/json/scanner.js";
import type { TextFormat } from "../../stores/registry.js";
import type { Store } from "../../stores/store.js";
import { showKeyPath } from "../../stores/edit/key-path.js";
import type { PlaintextEditor } from "../../stores/edit/editor.js";
import { fromJson, type Typed } from "../../stores/edit/typed.js";
import { dotenvVariables } from "../env/values.js";
import { typedOf, type Change, type Tree } from "./tree.js";

export interface MergeView {
  /** undefined for an empty document. */
  readonly tree: Tree | undefined;
  /** Comment texts in document order: the merge keeps one side's comments and must know if they differ. */
  readonly comments: readonly string[];
}

/** Far deeper than real documents; stops an alias cycle. */
const MAX_DEPTH = 500;

/** `store`: the format's store (stores/registry.ts), for the comments. */
export function mergeView(format: TextFormat, store: Store, text: string): MergeView {
  const bytes = Buffer.from(text, "utf8");
  const comments = store
    .parse(bytes)
    .leaves.filter((l) => l.kind === "comment")
    .map((l) => scalarText(l.value));
  if (format === "dotenv") return { tree: dotenvTree(bytes), comments };
  if (text.trim() === "") return { tree: undefined, comments };
  return { tree: format === "json" ? jsonTree(scanJson(text)) : yamlTree(text), comments };
}

/** The text with `changes` applied one by one; a change at the top level replaces the whole text. */
export function applyChanges(editor: PlaintextEditor, text: string, changes: readonly Change[], wholeText: () => string): string {
  let out = text;
  for (const change of changes) {
    if (change.path.length === 0) {
      out = wholeText();
      continue;
    }
    if (change.kind === "set") out = editor.set(out, change.path, change.value).text;
    else out = editor.unset(out, change.path)?.text ?? out;
  }
  return out;
}

function dotenvTree(bytes: Buffer): Tree {
  const entries = new Map<string, Tree>();
  for (const { name, value } of dotenvVariables(dotenvStore.parse(bytes).leaves, undefined, scalarText)) {
    entries.delete(name); // loaders let the last line win; keep that line's position
    entries.set(name, { kind: "value", value: { type: "str", value } });
  }
  return { kind: "map", entries };
}

function jsonTree(node: JsonNode): Tree {
  if (node.kind !== "object") return { kind: "value", value: fromJson(node) };
  const entries = new Map<string, Tree>();
  for (const m of node.members) {
    entries.delete(m.key);
    entries.set(m.key, jsonTree(m.value));
  }
  return { kind: "map", entries };
}

function yamlTree(text: string): Tree | undefined {
  const docs = parseAllDocuments(text, { intAsBigInt: true });
  if (docs.length > 1) throw new UsageError(`the file holds ${docs.length} YAML documents; kmseal merges single-document files only`);
  const doc = docs[0];
  if (doc === undefined) return undefined;
  // The library's messages can quote source text (secrets); its error code cannot.
  const err = doc.errors[0];
  if (err !== undefined) throw new UsageError(`invalid YAML (${err.code.toLowerCase().replaceAll("_", " ")})`);
  if (doc.contents === null) return undefined;
  return yamlNode(doc, doc.contents, [], 0);
}

function yamlNode(doc: Document.Parsed, node: unknown, path: string[], depth: number): Tree {
  if (depth > MAX_DEPTH) throw new UsageError(`${showKeyPath(path)} nests too deeply (an alias cycle?)`);
  if (isAlias(node)) return yamlNode(doc, node.resolve(doc), path, depth + 1);
  if (isMap(node)) {
    const entries = new Map<string, Tree>();
    for (const pair of node.items) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!isScalar(key)) throw new UsageError(`${showKeyPath(path) || "the document"} has a key that is not a scalar`);
      const name = String(key.value);
      entries.delete(name);
      entries.set(name, yamlNode(doc, pair.value, [...path, name], depth + 1));
    }
    return { kind: "map", entries };
  }
  return { kind: "value", value: yamlValue(doc, node, path, depth) };
}

function yamlValue(doc: Document.Parsed, node: unknown, path: string[], depth: number): Typed {
  if (depth > MAX_DEPTH) throw new UsageError(`${showKeyPath(path)} nests too deeply (an alias cycle?)`);
  if (isAlias(node)) return yamlValue(doc, node.resolve(doc), path, depth + 1);
  if (isSeq(node)) return { type: "list", items: node.items.map((item, i) => yamlValue(doc, item, [...path, String(i)], depth + 1)) };
  if (isMap(node)) return typedOf(yamlNode(doc, node, path, depth + 1));
  if (!isScalar(node)) return { type: "null" };
  const v = node.value;
  if (typeof v === "string") return { type: "str", value: v };
  if (typeof v === "bigint") return { type: "int", text: v.toString() };
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (typeof v === "number") {
    const source = node.source;
    return { type: "float", text: source !== undefined && goParseFloat(source) !== null ? source : String(v) };
  }
  if (v === null || v === undefined) return { type: "null" };
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value is a primitive or a Date here, and String() is the text kmseal has always shown for it
  return { type: "str", value: node.source ?? String(v) };
}
