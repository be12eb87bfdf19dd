/**
 * The document-level places of a YAML stream: where each document ends (the `sops` block is
 * appended there), the whole lines of an existing `sops` block, and the `{}` sops writes for an
 * empty document. Also the one stream-level check: go-yaml reads only YAML 1.1 documents.
 */
import type { CST } from "yaml";
import { columnOf } from "./comments.js";
import type { Range } from "./site.js";
import { contentEnd } from "./subtree.js";
import { failAt, tokenEnd } from "./token.js";

/** Where the document at `tokens[i]` ends: the next document or `...`, else the end of the text. */
export function documentEnd(tokens: readonly CST.Token[], i: number, length: number): number {
  for (let j = i + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.type === "document" || t.type === "doc-end") return t.offset;
  }
  return length;
}

/** go-yaml fails on `%YAML` other than 1.1 ("incompatible YAML document"), so sops could not read the file. */
export function checkDirective(text: string, token: CST.Directive): void {
  if (/^%YAML[ \t]/.test(token.source) && !/^%YAML[ \t]+1\.1(\s|#|$)/.test(token.source)) {
    failAt(text, token.offset, "sops reads only YAML 1.1 documents: remove the %YAML directive");
  }
}

export function isEmptyFlowMap(token: CST.Token): token is CST.FlowCollection {
  return token.type === "flow-collection" && token.start.source === "{" && token.items.length === 0 && token.end.some((t) => t.type === "flow-map-end");
}

/** A top-level `{}` and the blanks after it, with its line break when nothing else is on the line. */
export function placeholderRange(text: string, fc: CST.FlowCollection): Range {
  let end = tokenEnd(fc.end.find((t) => t.type === "flow-map-end")!);
  while (text[end] === " " || text[end] === "\t") end++;
  if (text[end] === "\n") end++;
  else if (text.startsWith("\r\n", end)) end += 2;
  return { start: fc.offset, end };
}

/** A top-level `sops` item as whole lines: from its key's line to the line of its last content. */
export function sopsBlockRange(text: string, item: CST.CollectionItem, keyOffset: number): Range {
  let end = contentEnd(item, keyOffset);
  if (text[end - 1] !== "\n") {
    const nl = text.indexOf("\n", end);
    end = nl === -1 ? text.length : nl + 1;
  }
  const start = columnOf(text, keyOffset) < 0 ? keyOffset : text.lastIndexOf("\n", keyOffset - 1) + 1;
  return { start, end };
}
