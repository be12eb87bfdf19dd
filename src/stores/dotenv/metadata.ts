/**
 * The `sops` block flattened into top-level dotenv keys, as sops's stores/flatten.go does it:
 * `sops_<field>`, then `__map_<key>` per mapping level and `__list_<index>` per list level.
 */
import { FormatError } from "../../core/errors.js";
import type { PlainObject, PlainValue } from "../../core/metadata.js";

export const METADATA_PREFIX = "sops_";
const MAP = "__map_";
const LIST = "__list_";

/** Depth-first in the object's own (already sorted) order; empty lists and mappings vanish. */
export function flattenMetadata(meta: PlainObject): [key: string, value: string][] {
  const out: [string, string][] = [];
  const walk = (value: PlainValue, key: string): void => {
    if (Array.isArray(value))
      value.forEach((v, i) => {
        walk(v, `${key}${LIST}${i}`);
      });
    else if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, `${key}${MAP}${k}`);
    else out.push([key, typeof value === "string" ? value : String(value)]);
  };
  for (const [k, v] of Object.entries(meta)) walk(v, METADATA_PREFIX + k);
  return out;
}

type Token = { readonly map: string } | { readonly list: number };

interface Node {
  value?: string;
  readonly keys: Map<string, Node>;
  readonly items: Map<number, Node>;
}

/** Rebuilds the block from `sops_…` keys (prefix included); every value is a string, as in sops. */
export function unflattenMetadata(entries: readonly (readonly [key: string, value: string])[]): PlainObject {
  const root: Node = { keys: new Map(), items: new Map() };
  for (const [key, value] of entries) {
    let node = root;
    for (const token of tokenize(key.slice(METADATA_PREFIX.length))) {
      const children: Map<string | number, Node> = "map" in token ? node.keys : node.items;
      const id = "map" in token ? token.map : token.list;
      let next = children.get(id);
      if (next === undefined) {
        next = { keys: new Map(), items: new Map() };
        children.set(id, next);
      }
      node = next;
    }
    if (node.value !== undefined) throw new FormatError(`metadata key ${key} appears twice`);
    node.value = value;
  }
  const result = convert(root, "");
  if (typeof result !== "object" || Array.isArray(result)) throw new FormatError("the sops_ metadata keys do not form a mapping");
  return result;
}

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let kind: "first" | "map" | "list" = "first";
  let start = 0;
  const finish = (end: number): void => {
    const text = path.slice(start, end);
    if (kind === "list") {
      if (!/^[0-9]+$/.test(text)) throw new FormatError(`metadata key sops_${path} has a list index that is not a number`);
      tokens.push({ list: Number(text) });
    } else tokens.push({ map: text });
  };
  let i = 0;
  while (i < path.length) {
    const sep = path.startsWith(MAP, i) ? MAP : path.startsWith(LIST, i) ? LIST : undefined;
    if (sep === undefined) {
      i++;
      continue;
    }
    finish(i);
    kind = sep === MAP ? "map" : "list";
    i += sep.length;
    start = i;
  }
  finish(path.length);
  return tokens;
}

function convert(node: Node, where: string): PlainValue {
  const kinds = Number(node.value !== undefined) + Number(node.keys.size > 0) + Number(node.items.size > 0);
  if (kinds > 1) throw new FormatError(`metadata key ${where} is both a value and a collection`);
  if (node.value !== undefined) return node.value;
  if (node.items.size > 0) {
    const out: PlainValue[] = [];
    for (let i = 0; i < node.items.size; i++) {
      const item = node.items.get(i);
      if (item === undefined) throw new FormatError(`metadata list ${where} does not number its items 0, 1, 2, …`);
      out.push(convert(item, `${where}${LIST}${i}`));
    }
    return out;
  }
  const out: PlainObject = {};
  for (const k of [...node.keys.keys()].sort()) out[k] = convert(node.keys.get(k)!, where === "" ? METADATA_PREFIX + k : `${where}${MAP}${k}`);
  return out;
}
