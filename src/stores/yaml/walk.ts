/**
 * The walk over the CST of a YAML stream: every value and comment in document order with its key
 * path, where its text sits, and what each document needs for the `sops` block (where it ends,
 * where an existing block is). Top-level `sops` keys are metadata, never leaves.
 */
import type { CST } from "yaml";
import { scalar, NULL, type Leaf } from "../../core/tree.js";
import { eolOf } from "../eol.js";
import { AliasExpander, type Anchor, type Shape } from "./alias.js";
import { CommentPlacer, columnOf, type Frame } from "./comments.js";
import { coreTag, typeScalar } from "./resolve.js";
import { scalarSite, type Range, type Site } from "./site.js";
import { emptyProps, failAt, isScalarToken, keyString, scalarValue, styleOf, tokenEnd, type Props, type ScalarToken } from "./token.js";
import { checkDirective, documentEnd, isEmptyFlowMap, placeholderRange, sopsBlockRange } from "./document.js";
import { duplicateKey, subtreeComments } from "./subtree.js";

const utf8 = new TextEncoder();

export interface DocumentPlace {
  /** Where a `sops` block is appended. */
  readonly end: number;
  /** The indentation of the top-level mapping. */
  readonly indent: number;
  /** Existing `sops` blocks, whole lines. */
  readonly sops: readonly Range[];
  /** A top-level `{}` (how sops writes an empty document), replaced by the `sops` block. */
  readonly placeholder: Range | null;
}

export interface AliasSite {
  readonly range: Range;
  readonly shape: Shape;
  /** Leaf indexes the alias produced, and those of the anchored node. */
  readonly own: Range;
  readonly anchor: Range;
  /** The alias sits inside a flow collection. */
  readonly flow: boolean;
}

/** A flow collection: its text and the leaves inside it (how a sealed file holds an alias's expansion). */
export interface FlowSite {
  readonly range: Range;
  readonly own: Range;
}

export interface Walk {
  readonly leaves: readonly Leaf[];
  readonly sites: readonly Site[];
  readonly aliases: readonly AliasSite[];
  readonly flows: readonly FlowSite[];
  readonly documents: readonly DocumentPlace[];
}

export function walkStream(text: string, tokens: readonly CST.Token[]): Walk {
  return new Walker(text).run(tokens);
}

class Walker {
  private readonly leaves: (Leaf | undefined)[] = [];
  private readonly sites: Site[] = [];
  private readonly aliases: AliasSite[] = [];
  private readonly flows: FlowSite[] = [];
  private readonly documents: DocumentPlace[] = [];
  private readonly anchors = new Map<string, Anchor>();
  private readonly targets = new Map<CST.Token, Anchor>();
  private readonly comments: CommentPlacer;
  private readonly expander: AliasExpander;
  private flowFrame: Frame | null = null;
  private sopsBlocks: Range[] = [];
  /** Comments before this offset lie inside a `sops` block. */
  private sopsEnd = -1;
  private readonly eol: string;

  constructor(private readonly text: string) {
    this.eol = eolOf(text);
    this.comments = new CommentPlacer(text, (index, owner) => {
      const range = (this.sites[index] as { range: Range }).range;
      this.leaves[index] = { kind: "comment", path: owner?.path ?? [], value: scalar("comment", text.slice(range.start + 1, range.end)) };
    });
    this.expander = new AliasExpander(text, this.targets, (path, value, time) =>
      this.push({ kind: "value", path, value, ...(time === undefined ? {} : { unencryptedMac: utf8.encode(time) }) }, { kind: "member" }),
    );
  }

  run(tokens: readonly CST.Token[]): Walk {
    tokens.forEach((token, i) => {
      if (token.type === "document") this.document(token, documentEnd(tokens, i, this.text.length));
      else if (token.type === "comment") this.comment(token);
      else if (token.type === "doc-end") this.scan(token.end ?? [], null, emptyProps());
      else if (token.type === "directive") checkDirective(this.text, token);
    });
    this.comments.endDocument({ path: [], indent: 0, parent: null, seq: false });
    if (this.documents.length === 0) this.documents.push({ end: this.text.length, indent: 0, sops: [], placeholder: null });
    const leaves = this.leaves.map((l): Leaf => l ?? { kind: "comment", path: [], value: scalar("comment", "") });
    return { leaves, sites: this.sites, aliases: this.aliases, flows: this.flows, documents: this.documents };
  }

  private document(doc: CST.Document, end: number): void {
    this.anchors.clear();
    this.sopsBlocks = [];
    const root: Frame = { path: [], indent: doc.value !== undefined && "indent" in doc.value ? doc.value.indent : 0, parent: null, seq: false };
    this.scan(doc.start, root, emptyProps());
    let placeholder: Range | null = null;
    if (doc.value === undefined) {
      // An empty document is an empty mapping.
    } else if (doc.value.type === "block-map") {
      this.blockMap(doc.value, root, true);
    } else if (isEmptyFlowMap(doc.value)) {
      this.scan(doc.value.end, null, emptyProps());
      placeholder = placeholderRange(this.text, doc.value);
    } else {
      failAt(this.text, doc.value.offset, "the top level of a YAML document must be a block mapping");
    }
    this.scan(doc.end ?? [], root, emptyProps());
    this.comments.endDocument(root);
    this.documents.push({ end, indent: root.indent, sops: this.sopsBlocks, placeholder });
  }

  /** Item-level tokens: comments, `-`, `?`, and the anchor and tag of the node that follows. */
  private scan(tokens: readonly CST.SourceToken[], frame: Frame | null, props: Props): void {
    for (const t of tokens) {
      const lineStart = columnOf(this.text, t.offset) >= 0;
      if (t.type === "map-value-ind" && lineStart && this.flowFrame !== null)
        failAt(this.text, t.offset, "a \":\" on its own line inside a flow collection: sops's YAML parser needs it on the key's line");
      const indicator = t.type === "seq-item-ind" || t.type === "explicit-key-ind" || (t.type === "map-value-ind" && lineStart);
      // go-yaml (and so sops) stops at a tab after a block indicator: kmseal would write a file sops cannot read.
      if (indicator && this.text[t.offset + 1] === "\t")
        failAt(this.text, t.offset + 1, `a tab after "${t.source}": sops's YAML parser cannot read it; use a space`);
      if (t.type === "comment") this.comment(t, this.flowFrame, props.anchor !== null || props.tag !== null);
      else if (t.type === "anchor") props.anchor = anchorName(this.text, t.offset, t.source);
      else if (t.type === "tag") props.tag = t;
      else if ((t.type === "seq-item-ind" || t.type === "explicit-key-ind") && frame !== null) {
        if (t.type === "seq-item-ind") props.dash = t.offset;
        this.comments.content(frame, t.offset);
      }
    }
  }

  private comment(t: CST.SourceToken, owner: Frame | null = this.flowFrame, afterProps = false): void {
    if (t.offset < this.sopsEnd) return;
    const index = this.leaves.length;
    this.leaves.push(undefined);
    this.sites.push({ kind: "comment", range: { start: t.offset, end: tokenEnd(t) }, column: Math.max(0, columnOf(this.text, t.offset)) });
    this.comments.comment(index, t.offset, owner, afterProps);
  }

  private push(leaf: Leaf, site: Site): number {
    this.leaves.push(leaf);
    this.sites.push(site);
    return this.leaves.length - 1;
  }

  private blockMap(map: CST.BlockMap, frame: Frame, top: boolean): void {
    const seen = new Set<string>();
    for (const item of map.items) {
      const keyProps = emptyProps();
      this.scan(item.start, frame, keyProps);
      // The CST typings promise a key, a separator and their offsets; a malformed line yields items without them.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (item.key === undefined && item.sep === undefined && item.value === undefined) continue;
      // The CST typings promise a key, a separator and their offsets; a malformed line yields items without them.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      const at = item.key?.offset ?? item.sep?.[0]?.offset ?? map.offset;
      const key = this.key(item, frame, keyProps, at);
      if (seen.has(key)) failAt(this.text, at, "duplicate key in a mapping");
      seen.add(key);
      if (top && key === "sops") {
        this.sopsItem(item, at);
        continue;
      }
      const valueProps = emptyProps();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above: sep may be missing at run time
      this.scan(item.sep ?? [], frame, valueProps);
      this.value(item.value, [...frame.path, key], frame, valueProps);
    }
  }

  private key(item: CST.CollectionItem, frame: Frame, props: Props, at: number): string {
    const key = keyString(this.text, item.key, props.tag, at);
    this.comments.content(frame, at);
    if (item.key && "end" in item.key && item.key.end !== undefined) this.scan(item.key.end, frame, emptyProps());
    return key;
  }

  private blockSeq(seq: CST.BlockSequence, frame: Frame): void {
    for (const item of seq.items) {
      const props = emptyProps();
      this.scan(item.start, frame, props);
      if (props.dash >= 0 || item.value !== undefined) this.value(item.value, frame.path, frame, props);
    }
  }

  private flow(fc: CST.FlowCollection, path: readonly string[], parent: Frame): void {
    this.comments.content(parent, fc.offset);
    const frame: Frame = { path, indent: fc.indent, parent, seq: false };
    const outer = this.flowFrame;
    this.flowFrame = frame;
    const isMap = fc.start.source === "{";
    const seen = new Set<string>();
    const from = this.leaves.length;
    for (const item of fc.items) {
      const keyProps = emptyProps();
      this.scan(item.start, frame, keyProps);
      const pair = isMap || item.key !== undefined || (item.sep?.some((t) => t.type === "map-value-ind") ?? false);
      if (!pair) {
        if (item.value !== undefined) this.value(item.value, path, frame, keyProps);
        continue;
      }
      if (item.key === undefined && item.sep === undefined && item.value === undefined) continue;
      const at = item.key?.offset ?? item.sep?.[0]?.offset ?? fc.offset;
      const key = this.key(item, frame, keyProps, at);
      if (isMap && seen.has(key)) failAt(this.text, at, "duplicate key in a mapping");
      seen.add(key);
      const valueProps = emptyProps();
      this.scan(item.sep ?? [], frame, valueProps);
      this.value(item.value, [...path, key], frame, valueProps);
    }
    this.flowFrame = outer;
    this.flows.push({ range: { start: fc.offset, end: flowEnd(fc) }, own: { start: from, end: this.leaves.length } });
    // An inline comment after the closing bracket belongs to the flow collection (go-yaml's line comment of it).
    for (const t of fc.end) {
      if (t.type === "flow-map-end" || t.type === "flow-seq-end") this.comments.content(parent, t.offset);
      else if (t.type === "comment") this.comment(t, columnOf(this.text, t.offset) < 0 ? frame : null);
    }
  }

  private value(token: CST.Token | undefined, path: readonly string[], frame: Frame, props: Props): void {
    const from = this.leaves.length;
    if (token === undefined) {
      const isStr = coreTag(props.tag?.source ?? null) === "str";
      this.push({ kind: "value", path, value: isStr ? scalar("str", "") : NULL }, { kind: "none" });
    } else if (token.type === "alias") {
      this.alias(token, path, frame);
    } else if (isScalarToken(token)) {
      this.scalar(token, path, frame, props);
    } else if (token.type === "block-map") {
      this.blockMap(token, { path, indent: token.indent, parent: frame, seq: false }, false);
    } else if (token.type === "block-seq") {
      this.blockSeq(token, { path, indent: token.indent, parent: frame, seq: true });
    } else if (token.type === "flow-collection") {
      this.flow(token, path, frame);
    } else {
      failAt(this.text, token.offset, "unexpected YAML node");
    }
    // Registered after the node, so an alias inside its own anchor is an unknown anchor, not a loop.
    if (props.anchor !== null) this.anchors.set(props.anchor, { token, tag: props.tag?.source ?? null, from, to: this.leaves.length });
  }

  private scalar(token: ScalarToken, path: readonly string[], frame: Frame, props: Props): void {
    this.comments.content(frame, token.offset);
    const style = styleOf(token);
    const r = typeScalar(scalarValue(token), style === "plain", props.tag?.source ?? null);
    if (r.type === "error") failAt(this.text, token.offset, r.reason);
    const leaf: Leaf = isBinaryTag(props.tag?.source ?? null)
      ? { kind: "value", path, value: scalar("str", binaryBytes(this.text, token.offset, scalarValue(token))) }
      : r.time === undefined
        ? { kind: "value", path, value: scalar(r.type, r.text) }
        : { kind: "value", path, value: scalar(r.type, r.text), unencryptedMac: utf8.encode(r.time) };
    this.push(leaf, scalarSite(this.text, token, style, props, this.flowFrame !== null, this.eol));
    if (token.type === "block-scalar") {
      // go-yaml and the yaml package disagree on a last body line of only spaces with no line break after it.
      if (!this.text.endsWith("\n") && this.text.endsWith(token.source) && /(?:^|\n)[ \t]+$/.test(token.source))
        failAt(
          this.text,
          token.offset,
          "a block scalar ends in a line of only spaces without a line break; sops's YAML parser reads it differently: end the file with a line break",
        );
    }
    if (token.type === "block-scalar") this.scan(token.props as CST.SourceToken[], frame, emptyProps());
    else if (token.end !== undefined) this.scan(token.end, frame, emptyProps());
  }

  private alias(token: CST.FlowScalar, path: readonly string[], frame: Frame): void {
    this.comments.content(frame, token.offset);
    const anchor = this.anchors.get(anchorName(this.text, token.offset, token.source));
    if (anchor === undefined) failAt(this.text, token.offset, "alias to an unknown anchor");
    this.targets.set(token, anchor);
    const from = this.leaves.length;
    const shape = this.expander.expand(anchor, path, token.offset);
    const own = { start: from, end: this.leaves.length };
    this.aliases.push({
      range: { start: token.offset, end: tokenEnd(token) },
      shape,
      own,
      anchor: { start: anchor.from, end: anchor.to },
      flow: this.flowFrame !== null,
    });
    this.scan(token.end ?? [], frame, emptyProps());
  }

  /** A top-level `sops` key: remembered as whole lines to remove; comments after its content stay leaves. */
  private sopsItem(item: CST.CollectionItem, keyOffset: number): void {
    const duplicate = duplicateKey(item.value);
    if (duplicate >= 0) failAt(this.text, duplicate, "duplicate key in the sops metadata");
    const block = sopsBlockRange(this.text, item, keyOffset);
    this.sopsBlocks.push(block);
    this.sopsEnd = block.end;
    for (const t of subtreeComments(item)) this.comment(t);
  }
}

/** The offset after a flow collection's closing bracket. */
function flowEnd(fc: CST.FlowCollection): number {
  for (const t of fc.end) if (t.type === "flow-map-end" || t.type === "flow-seq-end") return t.offset + t.source.length;
  return fc.offset + 1;
}

function isBinaryTag(tag: string | null): boolean {
  return tag === "!!binary" || tag === "!<tag:yaml.org,2002:binary>";
}

/** A `!!binary` scalar is its base64-decoded bytes, as go-yaml (and so sops) reads it. */
function binaryBytes(text: string, offset: number, value: string): Uint8Array {
  const b64 = value.replace(/[ \t\r\n]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) failAt(text, offset, "!!binary value is not valid base64");
  return Buffer.from(b64, "base64");
}

/**
 * go-yaml (and so sops) reads an anchor or alias name as letters, digits, `_` and `-` only: `&an:chor`
 * is the anchor `an` to it and `an:chor` to YAML 1.2. Such a file would mean different data to each.
 */
function anchorName(text: string, offset: number, source: string): string {
  const name = source.slice(1);
  if (!/^[0-9A-Za-z_-]+$/.test(name))
    failAt(text, offset, `the anchor name "${name}" has characters sops's YAML parser does not read as part of it (only letters, digits, _ and -)`);
  return name;
}

/**
 * A tab in a line's indentation (or a whitespace-only line with a tab) outside any scalar: go-yaml
 * refuses the file, so a sealed copy would be a file sops cannot read.
 */
export function checkIndentationTabs(text: string, sites: readonly Site[]): void {
  if (!text.includes("\t")) return;
  const scalars: Range[] = [];
  for (const s of sites) if (s.kind === "scalar") scalars.push({ start: s.head.start, end: s.body?.end ?? s.head.end });
  scalars.sort((a, b) => a.start - b.start);
  let k = 0;
  for (let at = 0; at < text.length;) {
    const eol = text.indexOf("\n", at);
    const end = eol === -1 ? text.length : eol;
    let tab = -1;
    for (let i = at; i < end && (text[i] === " " || text[i] === "\t"); i++) if (text[i] === "\t" && tab === -1) tab = i;
    if (tab !== -1) {
      while (k < scalars.length && scalars[k]!.end <= tab) k++;
      const inside = k < scalars.length && scalars[k]!.start <= tab;
      if (!inside) failAt(text, tab, "a tab in the indentation: sops's YAML parser cannot read it; use spaces");
    }
    at = end + 1;
  }
}
