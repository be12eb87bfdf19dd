/**
 * Aliases, expanded as sops expands them: `*name` yields the anchored node's values again, under the
 * alias's own key path. When any of those values (or the anchored ones) change, the alias text is
 * replaced by a flow rendering of the content, so the file says what was sealed.
 */
import type { CST } from "yaml";
import { scalar, type Scalar } from "../../core/tree.js";
import { aliasBudget } from "./alias-budget.js";
import { typeScalar } from "./resolve.js";
import { isSafePlain, quoteDouble } from "./scalar.js";
import { failAt, isScalarToken, keyString, scalarValue } from "./token.js";

export type Shape =
  | { readonly kind: "map"; readonly entries: readonly (readonly [string, Shape])[] }
  | { readonly kind: "seq"; readonly items: readonly Shape[] }
  | { readonly kind: "leaf"; readonly index: number };

/** An anchored node: its token (undefined for an empty value), tag, and the leaves it produced. */
export interface Anchor {
  readonly token: CST.Token | undefined;
  readonly tag: string | null;
  readonly from: number;
  readonly to: number;
}

/** Adds a value leaf for an expanded scalar and returns its index. */
export type AddLeaf = (path: readonly string[], value: Scalar, time: string | undefined) => number;

export class AliasExpander {
  private expanded = 0;
  private at = 0;
  private readonly budget: number;

  constructor(
    private readonly text: string,
    /** The anchor each alias token referred to when the walk met it. */
    private readonly targets: ReadonlyMap<CST.Token, Anchor>,
    private readonly addLeaf: AddLeaf,
  ) {
    this.budget = aliasBudget(Buffer.byteLength(text));
  }

  expand(anchor: Anchor, path: readonly string[], at: number): Shape {
    this.at = at;
    return this.node(anchor.token, path, anchor.tag);
  }

  private node(token: CST.Token | undefined, path: readonly string[], tag: string | null): Shape {
    // Collections count too: nested aliases of empty `[]` expand without producing a single value.
    if (++this.expanded > this.budget) {
      failAt(this.text, this.at, `aliases expand to more than ${this.budget} values (the limit for a file of this size; see "YAML aliases" in the README)`);
    }
    if (token === undefined) return this.leaf(path, "", true, tag);
    if (token.type === "alias") {
      const target = this.targets.get(token);
      if (target === undefined) return failAt(this.text, token.offset, "alias to an unknown anchor");
      return this.node(target.token, path, target.tag);
    }
    if (isScalarToken(token)) return this.leaf(path, scalarValue(token), token.type === "scalar", tag);
    switch (token.type) {
      case "block-map":
        return this.map(token.items, path);
      case "block-seq":
        return this.seq(token.items, path);
      case "flow-collection":
        return token.start.source === "{" ? this.map(token.items, path) : this.seq(token.items, path);
      default:
        return failAt(this.text, token.offset, "unexpected YAML node");
    }
  }

  private map(items: readonly CST.CollectionItem[], path: readonly string[]): Shape {
    const entries: (readonly [string, Shape])[] = [];
    for (const item of items) {
      if (item.key === undefined && item.sep === undefined && item.value === undefined) continue;
      entries.push(this.pair(item, path));
    }
    return { kind: "map", entries };
  }

  private seq(items: readonly CST.CollectionItem[], path: readonly string[]): Shape {
    const out: Shape[] = [];
    for (const item of items) {
      if (item.key !== undefined || item.sep?.some((t) => t.type === "map-value-ind")) {
        out.push({ kind: "map", entries: [this.pair(item, path)] });
      } else if (item.value !== undefined || item.start.some((t) => t.type === "seq-item-ind")) {
        out.push(this.node(item.value, path, tagIn(item.start)?.source ?? null));
      }
    }
    return { kind: "seq", items: out };
  }

  private pair(item: CST.CollectionItem, path: readonly string[]): readonly [string, Shape] {
    const key = keyString(this.text, item.key, tagIn(item.start), this.at);
    return [key, this.node(item.value, [...path, key], tagIn(item.sep ?? [])?.source ?? null)];
  }

  private leaf(path: readonly string[], value: string, plain: boolean, tag: string | null): Shape {
    const r = typeScalar(value, plain, tag);
    if (r.type === "error") return failAt(this.text, this.at, r.reason);
    return { kind: "leaf", index: this.addLeaf(path, scalar(r.type, r.text), r.time) };
  }
}

function tagIn(tokens: readonly CST.SourceToken[]): CST.SourceToken | null {
  let tag: CST.SourceToken | null = null;
  for (const t of tokens) if (t.type === "tag") tag = t;
  return tag;
}

/** The content as one flow node: `{a: 1, b: "ENC[...]"}`, `[x, y]`, or a scalar. */
export function renderShape(shape: Shape, leafText: (index: number) => string): string {
  switch (shape.kind) {
    case "leaf":
      return leafText(shape.index);
    case "seq":
      return "[" + shape.items.map((s) => renderShape(s, leafText)).join(", ") + "]";
    case "map":
      return "{" + shape.entries.map(([k, s]) => (isSafePlain(k, true, false) ? k : quoteDouble(k)) + ": " + renderShape(s, leafText)).join(", ") + "}";
  }
}
