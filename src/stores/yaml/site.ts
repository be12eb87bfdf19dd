/**
 * Where each leaf sits in the source text, and the text edits (splices) that write a new value
 * there in the leaf's own style. Everything outside the splices is copied byte for byte.
 */
import { scalarText, type Edit, type Leaf, type Scalar } from "../../core/tree.js";
import type { CST } from "yaml";
import { coreTag, type CoreTag } from "./resolve.js";
import { blockText, encBlock, isSafePlain, nativeText, quoteDouble, quoteSingle, type BlockPlace } from "./scalar.js";
import { blockHeader, bodyIndent, tokenEnd, type Props, type ScalarToken, type Style } from "./token.js";

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Splice extends Range {
  readonly text: string;
  /** Start the text on a new line (the block appended to a file that lacks a final newline). */
  readonly ownLine?: boolean;
}

export interface ScalarSite {
  readonly kind: "scalar";
  readonly style: Style;
  /** Inside a flow collection, where `,[]{}` end a plain scalar. */
  readonly flow: boolean;
  /** The scalar's text, or a block scalar's header. */
  readonly head: Range;
  /** A block scalar's body lines (the line break after the header stays outside both ranges). */
  readonly body: Range | null;
  /** An explicit tag and the space after it. */
  /** `yaml`: a tag of the YAML tag repository (`!!binary`, `!!timestamp`, …), which go-yaml acts on. */
  readonly tag: { readonly range: Range; readonly core: CoreTag | null; readonly yaml: boolean } | null;
  /** Offset of the block-sequence `-` that holds this scalar, or -1. */
  readonly dash: number;
  readonly block: BlockPlace | null;
}

export interface CommentSite {
  readonly kind: "comment";
  readonly range: Range;
  readonly column: number;
}

/** `member`: a value produced by an alias (rewritten through the alias); `none`: a value with no text. */
export type Site = ScalarSite | CommentSite | { readonly kind: "member" } | { readonly kind: "none" };

/** Where a scalar's text sits: the scalar (or block header and body), its tag, its sequence dash. */
export function scalarSite(text: string, token: ScalarToken, style: Style, props: Props, flow: boolean, eol: string): ScalarSite {
  let tag = null;
  if (props.tag !== null) {
    let end = tokenEnd(props.tag);
    while (text[end] === " " || text[end] === "\t") end++;
    // sops cannot read `!!binary ENC[...]` (go-yaml decodes the ENC text as base64); the manifest keeps the tag.
    tag = { range: { start: props.tag.offset, end }, core: coreTag(props.tag.source), yaml: /^(?:!!|!<tag:yaml\.org,2002:)/.test(props.tag.source) };
  }
  if (token.type !== "block-scalar") {
    return { kind: "scalar", style, flow, tag, dash: props.dash, head: { start: token.offset, end: tokenEnd(token) }, body: null, block: null };
  }
  const header = blockHeader(token);
  const bodyStart = tokenEnd(token.props[token.props.length - 1] as CST.SourceToken);
  const block = { folded: style === "folded", baseIndent: token.indent, bodyIndent: bodyIndent(token, header), eol };
  const head = { start: header.offset, end: tokenEnd(header) };
  return { kind: "scalar", style, flow, tag, dash: props.dash, head, body: { start: bodyStart, end: bodyStart + token.source.length }, block };
}

/** The text a scalar or comment occupies, tag included: what a `source` edit puts back in the same place. */
function sourceRange(site: ScalarSite | CommentSite): Range {
  if (site.kind === "comment") return site.range;
  return { start: site.tag?.range.start ?? site.head.start, end: site.body?.end ?? site.head.end };
}

export function siteSource(text: string, site: Site | undefined): string | null {
  if (site === undefined || (site.kind !== "scalar" && site.kind !== "comment")) return null;
  const range = sourceRange(site);
  return text.slice(range.start, range.end);
}

export function siteSplices(site: ScalarSite | CommentSite, edit: Edit, eol: string): Splice[] {
  if (edit.kind === "source") return [{ ...sourceRange(site), text: edit.text }];
  if (site.kind === "comment") {
    const text = edit.kind === "enc" ? edit.text : scalarText(edit.value);
    return [{ ...site.range, text: commentText(text, site.column, eol) }];
  }
  const end = site.body?.end ?? site.head.end;
  // sops writes a comment inside a sequence as an element `- ENC[...,type:comment]`: make it a comment again.
  if (edit.kind === "plain" && edit.value.type === "comment" && site.dash >= 0 && !site.flow) {
    return [{ start: site.dash, end, text: commentText(scalarText(edit.value), 0, eol) }];
  }
  const type = edit.kind === "enc" || edit.value.type === "comment" ? "str" : edit.value.type;
  const out: Splice[] = [];
  if (site.tag !== null && (site.tag.core !== null ? site.tag.core !== type : edit.kind === "enc" && site.tag.yaml)) out.push({ ...site.tag.range, text: "" });
  const [head, body] = edit.kind === "enc" ? encText(site, edit.text) : plainText(site, edit.value);
  out.push({ ...site.head, text: head });
  if (site.body !== null) out.push({ ...site.body, text: body });
  return out;
}

function encText(site: ScalarSite, text: string): [string, string] {
  if (site.block !== null && text !== "") {
    const b = encBlock(text, site.block);
    return [b.head, b.body];
  }
  switch (site.style) {
    case "single":
      return [quoteSingle(text) ?? quoteDouble(text), ""];
    case "plain":
      // In flow context `,[]{}` would end a plain ENC string; single quotes mark "was plain" there.
      return [text === "" ? '""' : site.flow ? (quoteSingle(text) ?? quoteDouble(text)) : text, ""];
    default:
      return [quoteDouble(text), ""];
  }
}

/**
 * Bytes that are not UTF-8 (a `!!binary` value, decoded as go-yaml decodes it) are written as
 * go-yaml writes them, `!!binary` and base64, instead of being decoded with replacement characters.
 */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function binaryText(value: Scalar): string | null {
  if (value.type !== "str") return null;
  try {
    strictUtf8.decode(value.bytes);
    return null;
  } catch {
    return "!!binary " + Buffer.from(value.bytes).toString("base64");
  }
}

function plainText(site: ScalarSite, value: Scalar): [string, string] {
  if (value.type !== "str" && value.type !== "comment") return [nativeText(value), ""];
  const binary = binaryText(value);
  if (binary !== null) return [binary, ""];
  const s = scalarText(value);
  if (site.block !== null) {
    const b = blockText(s, site.block);
    return b === null ? [quoteDouble(s), ""] : [b.head, b.body];
  }
  switch (site.style) {
    case "plain":
      return [isSafePlain(s, site.flow, site.tag?.core === "str") ? s : quoteDouble(s), ""];
    case "single":
      if (site.flow && isSafePlain(s, true, site.tag?.core === "str")) return [s, ""];
      return [(s.includes("\n") ? null : quoteSingle(s)) ?? quoteDouble(s), ""];
    default:
      return [quoteDouble(s), ""];
  }
}

/** `#text`; a text with line breaks (never written by sops) becomes several comment lines. */
function commentText(text: string, column: number, eol: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => "#" + line)
    .join(eol + " ".repeat(column));
}

/**
 * One value of an alias expansion. Inside the flow rendering ENC strings are single-quoted (as
 * plain flow scalars are); an alias of a scalar in block context is written like any block value.
 */
export function aliasScalarText(leaf: Leaf, edit: Edit | undefined, flow: boolean): string {
  if (edit?.kind === "enc") return flow ? (quoteSingle(edit.text) ?? quoteDouble(edit.text)) : edit.text === "" ? '""' : edit.text;
  if (edit?.kind === "source") return edit.text;
  const value = edit?.kind === "plain" ? edit.value : leaf.value;
  if (value.type !== "str" && value.type !== "comment") return nativeText(value);
  const s = scalarText(value);
  return binaryText(value) ?? (isSafePlain(s, flow, false) ? s : quoteDouble(s));
}
