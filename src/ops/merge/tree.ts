/**
 * The pure three-way merge behind `kmseal merge`: decrypted documents as trees of mappings (by key)
 * and whole values (scalars and lists), merged from the top level down.
 *
 * - a key changed on one side only takes that side's value (a removal included);
 * - a key added on one side is added; added on both with the same value is kept once;
 * - mappings changed on both sides are merged key by key; anything else changed differently on both
 *   sides (two values, a value and a removal, a mapping and a scalar) is a conflict at that key path.
 *
 * Lists are whole values: two sides that edit different items of one list conflict, since items have
 * no identity to merge by. Key order is not a change. The result is a list of changes to apply to the
 * *target* side's text (ours, unless the caller swaps the sides), so its layout and comments stay.
 */
import type { KeyPath } from "../../stores/edit/key-path.js";
import type { Typed } from "../../stores/edit/typed.js";

export type Tree = { readonly kind: "map"; readonly entries: ReadonlyMap<string, Tree> } | { readonly kind: "value"; readonly value: Typed };

export type Change = { readonly kind: "set"; readonly path: KeyPath; readonly value: Typed } | { readonly kind: "unset"; readonly path: KeyPath };

/** Both sides' values at a conflicting key path; undefined where that side removed it. */
export interface Conflict {
  readonly path: KeyPath;
  readonly target: Typed | undefined;
  readonly other: Typed | undefined;
}

export interface TreeMerge {
  /** Applied in order to the target's text: a set at `[]` replaces the whole document. */
  readonly changes: Change[];
  readonly conflicts: Conflict[];
}

/** Changes that turn `target` into the merge of `target` and `other` since `base`. */
export function mergeTrees(base: Tree | undefined, target: Tree | undefined, other: Tree | undefined): TreeMerge {
  const out: TreeMerge = { changes: [], conflicts: [] };
  node([], base, target, other, out);
  return out;
}

function node(path: KeyPath, base: Tree | undefined, target: Tree | undefined, other: Tree | undefined, out: TreeMerge): void {
  if (sameTree(target, other) || sameTree(base, other)) return;
  if (sameTree(base, target)) {
    take(path, target, other, out);
    return;
  }
  if (target?.kind === "map" && other?.kind === "map" && (base === undefined || base.kind === "map")) {
    for (const key of keysOf(target, other)) node([...path, key], base?.entries.get(key), target.entries.get(key), other.entries.get(key), out);
    return;
  }
  out.conflicts.push({ path, target: target === undefined ? undefined : typedOf(target), other: other === undefined ? undefined : typedOf(other) });
}

/** Only `other` changed here: make the target read like it, touching as little text as possible. */
function take(path: KeyPath, target: Tree | undefined, other: Tree | undefined, out: TreeMerge): void {
  if (other === undefined) {
    if (target !== undefined) out.changes.push({ kind: "unset", path });
  } else if (other.kind === "map" && target?.kind === "map") {
    for (const key of keysOf(target, other)) node([...path, key], target.entries.get(key), target.entries.get(key), other.entries.get(key), out);
  } else if (other.kind === "map" && target === undefined && other.entries.size > 0 && path.length > 0) {
    // A new mapping is added one key at a time, so it is written as block lines like the rest.
    for (const [key, child] of other.entries) take([...path, key], undefined, child, out);
  } else {
    out.changes.push({ kind: "set", path, value: typedOf(other) });
  }
}

/** The target's keys in its order, then the other side's new keys in theirs. */
function keysOf(target: Tree & { kind: "map" }, other: Tree & { kind: "map" }): string[] {
  const keys = [...target.entries.keys()];
  for (const key of other.entries.keys()) if (!target.entries.has(key)) keys.push(key);
  return keys;
}

export function typedOf(tree: Tree): Typed {
  if (tree.kind === "value") return tree.value;
  return { type: "map", entries: [...tree.entries].map(([k, v]) => [k, typedOf(v)] as const) };
}

/** Equal as documents: mapping key order does not count, list order and value types do. */
export function sameTree(a: Tree | undefined, b: Tree | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameTyped(typedOf(a), typedOf(b));
}

export function sameTyped(a: Typed, b: Typed): boolean {
  switch (a.type) {
    case "str":
      return b.type === "str" && a.value === b.value;
    case "int":
    case "float":
      return b.type === a.type && a.text === b.text;
    case "bool":
      return b.type === "bool" && a.value === b.value;
    case "null":
      return b.type === "null";
    case "list":
      return b.type === "list" && a.items.length === b.items.length && a.items.every((x, i) => sameTyped(x, b.items[i]!));
    case "map": {
      if (b.type !== "map") return false;
      const mine = new Map(a.entries);
      const theirs = new Map(b.entries);
      if (mine.size !== theirs.size) return false;
      for (const [k, v] of mine) {
        const w = theirs.get(k);
        if (w === undefined || !sameTyped(v, w)) return false;
      }
      return true;
    }
  }
}
