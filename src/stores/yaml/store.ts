/**
 * The YAML store. It edits the original text instead of re-serialising a document: the `yaml`
 * package's CST gives every token's offset, the walk lists the leaves and where they sit, and render
 * splices new text into those places only. Comments, blank lines, quoting, key order and anchors
 * outside the edited values stay byte for byte. The composer is used for syntax errors and to read
 * the `sops` block as plain data.
 */
import { checkYamlNodeBound } from "../../platform/limits.js";
import { Composer, isMap, isScalar, Parser, type CST, type Document } from "yaml";
import { FormatError } from "../../core/errors.js";
import type { PlainObject } from "../../core/metadata.js";
import type { Edit } from "../../core/tree.js";
import { renderShape } from "./alias.js";
import { emitSops } from "./metadata.js";
import { aliasScalarText, siteSource, siteSplices, type Range, type Splice } from "./site.js";
import { eolOf } from "../eol.js";
import type { NodeSources, StoreDocument, Store } from "../store.js";
import { lineColumn } from "./token.js";
import { checkIndentationTabs, walkStream, type Walk } from "./walk.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export const yamlStore: Store = {
  format: "yaml",
  parse(input: Uint8Array): StoreDocument {
    let text: string;
    try {
      text = utf8.decode(input);
    } catch {
      throw new FormatError("the YAML file is not valid UTF-8");
    }
    checkYamlNodeBound(input);
    const tokens: CST.Token[] = Array.from(new Parser().parse(text));
    // uniqueKeys: false, because the composer's duplicate check is quadratic; the walk checks keys with a set.
    const docs = Array.from(new Composer({ uniqueKeys: false }).compose(tokens));
    rejectErrors(text, docs);
    const walk = walkStream(text, tokens);
    checkIndentationTabs(text, walk.sites);
    checkSopsBlocks(text, walk);
    return {
      leaves: walk.leaves,
      metadata: sopsValue(docs[0]),
      // Rendering reads the original text and the walk only, so it may run more than once.
      render: (edits, metadata, nodes) => Buffer.from(render(text, walk, edits, metadata, nodes), "utf8"),
      source: (i) => {
        const alias = scalarAliases(walk).get(i);
        return alias !== undefined ? text.slice(alias.start, alias.end) : siteSource(text, walk.sites[i]);
      },
      nodeSources: () => {
        const out = new Map<string, string>();
        for (const a of walk.aliases)
          if (a.shape.kind !== "leaf" && a.own.end > a.own.start) out.set(`${a.own.start}-${a.own.end}`, text.slice(a.range.start, a.range.end));
        return out;
      },
    };
  },
};

/**
 * sops reads an empty comment (`#` and nothing after it) next to a block sequence's items as an
 * extra `""` item, with its own encryption as with kmseal's: a sealed file would change the data
 * for every sops reader. Refused instead (the comment needs text, or can go).
 */
function checkEmptySequenceComments(text: string, walk: Walk): void {
  const isItem = (line: string) => /^\s*-(?:\s|$)/.test(line);
  const isContent = (line: string) => line.trim() !== "" && !line.trimStart().startsWith("#");
  let lines: string[] | undefined;
  let starts: number[] | undefined;
  for (const site of walk.sites) {
    if (site.kind !== "comment" || site.range.end - site.range.start !== 1) continue;
    if (lines === undefined || starts === undefined) {
      lines = text.split("\n");
      starts = [];
      let at = 0;
      for (const l of lines) {
        starts.push(at);
        at += l.length + 1;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= site.range.start) lo = mid;
      else hi = mid - 1;
    }
    const n = lo;
    const before = lines[n]!.slice(0, site.range.start - starts[n]!);
    let prev = n - 1;
    while (prev >= 0 && !isContent(lines[prev]!)) prev--;
    let next = n + 1;
    while (next < lines.length && !isContent(lines[next]!)) next++;
    if (isItem(before) || (before.trim() === "" && ((prev >= 0 && isItem(lines[prev]!)) || (next < lines.length && isItem(lines[next]!)))))
      throw new FormatError(
        "an empty comment (# alone) next to list items: sops reads it as an extra empty list item; give it text or remove it",
        lineColumn(text, site.range.start),
      );
  }
}

/**
 * A sealed stream has a `sops` block in every document, a plaintext one in none. A `sops` key in
 * some documents only would be dropped (or read as metadata): refuse it instead of guessing.
 */
function checkSopsBlocks(text: string, walk: Walk): void {
  const withBlock = walk.documents.filter((d) => d.sops.length > 0);
  if (withBlock.length === 0 || withBlock.length === walk.documents.length) return;
  const first = withBlock[0]!;
  const n = walk.documents.indexOf(first) + 1;
  throw new FormatError(
    `document ${n} has a top-level "sops" key and another document has none: sops reserves the key for its metadata`,
    lineColumn(text, first.sops[0]!.start),
    { hint: "rename the key (a plaintext file must not have a top-level sops key in any document)" },
  );
}

function rejectErrors(text: string, docs: readonly Document.Parsed[]): void {
  let first: { pos: [number, number]; code: string } | undefined;
  for (const doc of docs) for (const e of doc.errors) if (first === undefined || e.pos[0] < first.pos[0]) first = e;
  if (first === undefined) return;
  // The library's messages can quote source text (secrets); its error code cannot.
  throw new FormatError(`invalid YAML (${first.code.toLowerCase().replaceAll("_", " ")})`, lineColumn(text, first.pos[0]));
}

/** The first document's top-level `sops` value as plain data, or null. */
function sopsValue(doc: Document.Parsed | undefined): unknown {
  if (doc === undefined || !isMap(doc.contents)) return null;
  for (const pair of doc.contents.items) {
    if (isScalar(pair.key) && pair.key.value === "sops") {
      const value: unknown = pair.value;
      return value !== null && typeof value === "object" && "toJS" in value ? (value as { toJS(d: Document): unknown }).toJS(doc) : null;
    }
  }
  return null;
}

/** Leaf index → the `*name` text of an alias of a scalar (the leaf it produced has no text of its own). */
const scalarAliasCache = new WeakMap<Walk, Map<number, Range>>();
function scalarAliases(walk: Walk): Map<number, Range> {
  let map = scalarAliasCache.get(walk);
  if (map === undefined) {
    map = new Map();
    for (const a of walk.aliases) if (a.shape.kind === "leaf") map.set(a.shape.index, a.range);
    scalarAliasCache.set(walk, map);
  }
  return map;
}

function render(text: string, walk: Walk, edits: readonly (Edit | undefined)[], metadata: PlainObject | null, nodes?: NodeSources): string {
  // Sealing a plaintext: refuse what sops would misread in the sealed file.
  if (metadata !== null && walk.documents.every((d) => d.sops.length === 0)) checkEmptySequenceComments(text, walk);
  const eol = eolOf(text);
  const splices: Splice[] = [];
  // Alias texts written back over the flow collections a seal expanded them to (the outermost one
  // where they nest); the leaves inside are not written.
  const skip = new Uint8Array(nodes !== undefined && nodes.size > 0 ? walk.leaves.length : 0);
  if (skip.length > 0) {
    const chosen = walk.flows.filter((f) => nodes!.has(`${f.own.start}-${f.own.end}`)).sort((a, b) => b.own.end - b.own.start - (a.own.end - a.own.start));
    for (const flow of chosen) {
      if (skip[flow.own.start] === 1) continue;
      skip.fill(1, flow.own.start, flow.own.end);
      splices.push({ ...flow.range, text: nodes!.get(`${flow.own.start}-${flow.own.end}`)! });
    }
  }
  for (let i = 0; i < walk.leaves.length; i++) {
    const edit = edits[i];
    if (skip[i] === 1) continue;
    const site = walk.sites[i]!;
    if (edit === undefined || site.kind === "member") continue;
    if (site.kind === "none") throw new TypeError("an edit was given for a value that has no text (null)");
    splices.push(...siteSplices(site, edit, eol));
  }
  for (const alias of walk.aliases) {
    if (!edited(edits, alias.own) && !edited(edits, alias.anchor)) continue;
    const flow = alias.flow || alias.shape.kind !== "leaf";
    splices.push({ ...alias.range, text: renderShape(alias.shape, (i) => aliasScalarText(walk.leaves[i]!, edits[i], flow)) });
  }
  for (const doc of walk.documents) {
    for (const block of doc.sops) splices.push({ ...block, text: "" });
    if (metadata === null) continue;
    if (doc.placeholder !== null) splices.push({ ...doc.placeholder, text: "" });
    splices.push({ start: doc.end, end: doc.end, text: emitSops(metadata, doc.indent, eol), ownLine: true });
  }
  return apply(text, splices, eol);
}

function edited(edits: readonly (Edit | undefined)[], range: Range): boolean {
  for (let i = range.start; i < range.end; i++) if (edits[i] !== undefined) return true;
  return false;
}

function apply(text: string, splices: Splice[], eol: string): string {
  splices.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: string[] = [];
  let pos = 0;
  let last = "";
  for (const s of splices) {
    if (s.start < pos) throw new TypeError("overlapping YAML edits");
    const kept = text.slice(pos, s.start);
    if (kept !== "") last = kept;
    out.push(kept);
    if (s.ownLine === true && last !== "" && !last.endsWith("\n")) out.push(eol);
    out.push(s.text);
    if (s.text !== "") last = s.text;
    pos = s.end;
  }
  out.push(text.slice(pos));
  return out.join("");
}
