/**
 * A whole CST subtree as a flat run of tokens: used for the `sops` item, whose text is removed as a
 * unit, to find where its content ends and which comments trail after it.
 */
import type { CST } from "yaml";
import { isScalarToken, scalarValue, tokenEnd } from "./token.js";

interface Piece {
  readonly type: string;
  readonly offset: number;
  readonly end: number;
  readonly token: CST.SourceToken | null;
}

function* pieces(token: CST.Token | null | undefined): Generator<Piece> {
  if (token === null || token === undefined) return;
  switch (token.type) {
    case "block-map":
    case "block-seq":
      for (const item of token.items) yield* itemPieces(item);
      return;
    case "flow-collection":
      yield* sourcePieces([token.start]);
      for (const item of token.items) yield* itemPieces(item);
      yield* sourcePieces(token.end);
      return;
    case "block-scalar": {
      yield* sourcePieces(token.props as CST.SourceToken[]);
      const last = token.props[token.props.length - 1];
      const start = last === undefined ? token.offset : tokenEnd(last as CST.SourceToken);
      yield { type: "block-scalar", offset: start, end: start + token.source.length, token: null };
      return;
    }
    case "scalar":
    case "single-quoted-scalar":
    case "double-quoted-scalar":
    case "alias":
      yield { type: token.type, offset: token.offset, end: tokenEnd(token), token: null };
      yield* sourcePieces(token.end ?? []);
      return;
    case "document":
    case "doc-end":
    case "directive":
    case "error":
      return;
    default:
      yield* sourcePieces([token]);
  }
}

function* itemPieces(item: CST.CollectionItem): Generator<Piece> {
  yield* sourcePieces(item.start);
  yield* pieces(item.key);
  yield* sourcePieces(item.sep ?? []);
  yield* pieces(item.value);
}

function* sourcePieces(tokens: readonly CST.SourceToken[]): Generator<Piece> {
  for (const t of tokens) yield { type: t.type, offset: t.offset, end: tokenEnd(t), token: t };
}

const NOT_CONTENT = new Set(["space", "newline", "comment"]);

/** The end of the last non-comment text of an item's key, separator and value. */
export function contentEnd(item: CST.CollectionItem, keyOffset: number): number {
  let end = keyOffset;
  for (const p of [...pieces(item.key), ...sourcePieces(item.sep ?? []), ...pieces(item.value)]) {
    if (!NOT_CONTENT.has(p.type) && p.end > end) end = p.end;
  }
  return end;
}

/** Every comment token in an item's separator and value, in document order. */
export function* subtreeComments(item: CST.CollectionItem): Generator<CST.SourceToken> {
  for (const p of [...sourcePieces(item.sep ?? []), ...pieces(item.value)]) {
    if (p.type === "comment" && p.token !== null) yield p.token;
  }
}

/** The offset of the first key that repeats within one mapping of the subtree (go-yaml rejects those), or -1. */
export function duplicateKey(token: CST.Token | null | undefined): number {
  if (token === null || token === undefined) return -1;
  if (token.type !== "block-map" && token.type !== "block-seq" && token.type !== "flow-collection") return -1;
  const isMap = token.type === "block-map" || (token.type === "flow-collection" && token.start.source === "{");
  const seen = new Set<string>();
  for (const item of token.items) {
    if (isMap && item.key !== undefined && item.key !== null && isScalarToken(item.key)) {
      const key = scalarValue(item.key);
      if (seen.has(key)) return item.key.offset;
      seen.add(key);
    }
    const inner = duplicateKey(item.value);
    if (inner >= 0) return inner;
  }
  return -1;
}
