/**
 * A block of lines kmseal owns inside a file the user also edits (the pre-commit hook,
 * `.gitattributes`, `.gitignore`), found by its start and end marker lines. Installing again
 * replaces the block in place and removing it leaves every other byte as it was, so the user's own
 * lines survive any number of installs and uninstalls.
 */
export interface Markers {
  readonly start: string;
  readonly end: string;
}

export interface Span {
  readonly start: number;
  /** Just after the end marker and its line break. */
  readonly end: number;
}

/**
 * The block's span, or null when there is none. A start marker without an end marker throws
 * `unterminated()` when given (guessing where the block ends could delete the user's lines);
 * without it, such a file counts as having no block.
 */
export function findBlock(text: string, markers: Markers, unterminated?: () => Error): Span | null {
  const start = text.indexOf(markers.start);
  if (start < 0) return null;
  const at = text.indexOf(markers.end, start);
  if (at < 0) {
    if (unterminated !== undefined) throw unterminated();
    return null;
  }
  let end = at + markers.end.length;
  if (text[end] === "\n") end += 1;
  return { start, end };
}

/** The text with `block` (its own final newline included) in place of the span. */
export function replaceBlock(text: string, span: Span, block: string): string {
  return text.slice(0, span.start) + block + text.slice(span.end);
}

export function removeBlock(text: string, span: Span): string {
  return replaceBlock(text, span, "");
}

/**
 * The text with `block` in it: replaced where a block is, else appended on a line of its own
 * (appended, so that in attribute and ignore files kmseal's lines win over earlier ones).
 */
export function withBlock(before: string | null, block: string, markers: Markers, unterminated?: () => Error): string {
  if (before === null || before === "") return block;
  const found = findBlock(before, markers, unterminated);
  if (found !== null) return replaceBlock(before, found, block);
  return before + (before.endsWith("\n") ? "" : "\n") + block;
}
