/**
 * Which collection a comment belongs to. sops uses that collection's key path as the comment's AAD,
 * and go-yaml v3 decides it while scanning (head comments go with the next node, foot comments with
 * the previous one), so the rules here follow what sops 3.13.3 computes, checked case by case:
 * - an inline comment (`k: v # c`) belongs to the collection holding the content before it;
 * - a comment inside a flow collection, or right after its closing bracket, belongs to it;
 * - a run of comment lines between two pieces of content is a foot of the collection holding the
 *   content before it until a line starts at the column of the content after it (or the content
 *   after it opens a nested collection); from that line on it is a head of the collection after it.
 *   Later foot lines further out belong to the level at their column; a block sequence's level is
 *   the mapping that holds it.
 * A document's end counts as content at the top-level mapping's column, because that is where the
 * `sops` key follows in an encrypted file, and sops reads the comments of that file.
 */

/** A collection while walking: its key path and indentation (the column of its keys or `-`). */
export interface Frame {
  readonly path: readonly string[];
  readonly indent: number;
  readonly parent: Frame | null;
  /** A block sequence: go-yaml hangs foot comments at its level on the key that holds it. */
  readonly seq: boolean;
}

interface Pending {
  readonly index: number;
  readonly column: number;
  readonly before: Frame | null;
}

/** Receives the owner of comment `index`; null means the document's top level. */
export type PlaceComment = (index: number, owner: Frame | null) => void;

export class CommentPlacer {
  private pending: Pending[] = [];
  private last: Frame | null = null;

  constructor(
    private readonly text: string,
    private readonly place: PlaceComment,
  ) {}

  /** Content of `frame` at `offset` was reached: waiting comments get their owner. */
  content(frame: Frame, offset: number): void {
    if (this.pending.length > 0) this.settle(frame, offset - this.text.lastIndexOf("\n", offset - 1) - 1);
    this.last = frame;
  }

  /** A document ended: its waiting comments sit before the `sops` key an encrypted file has there. */
  endDocument(root: Frame): void {
    if (this.pending.length > 0) this.settle(root, root.indent);
    this.last = null;
  }

  /**
   * `owner` forces the owner (flow collections); otherwise it is decided from the layout.
   * `afterProps`: the comment follows a node's anchor or tag on its line (`key: &a # c`); go-yaml
   * gives it to that node, so it belongs to whatever the node opens, the next content's collection.
   */
  comment(index: number, offset: number, owner: Frame | null, afterProps = false): void {
    if (owner !== null) {
      this.place(index, owner);
      return;
    }
    const column = columnOf(this.text, offset);
    if (column < 0 && afterProps) {
      this.pending.push({ index, column, before: null });
      return;
    }
    if (column < 0) {
      this.place(index, this.last);
      return;
    }
    this.pending.push({ index, column, before: this.last });
  }

  private settle(after: Frame, nextColumn: number): void {
    let head = false;
    let foot: Frame | null = null;
    let footColumn = -1;
    for (const p of this.pending) {
      head ||= p.before === null || p.column === nextColumn || isAncestor(p.before, after);
      if (head || p.before === null) {
        this.place(p.index, after);
        continue;
      }
      if (foot === null) {
        // The first foot line belongs to the innermost collection (an indentless sequence has no level of its own).
        foot = p.before.seq && p.before.parent !== null && p.before.parent.indent === p.before.indent ? p.before.parent : p.before;
        footColumn = p.column;
      } else if (p.column !== footColumn && p.column < p.before.indent) {
        // A later line further out ends the levels deeper than its column.
        foot = levelAt(p.before, p.column);
        footColumn = p.column;
      }
      this.place(p.index, foot);
    }
    this.pending = [];
  }
}

function levelAt(frame: Frame, column: number): Frame {
  let f = frame;
  while (f.parent !== null && f.indent > column) f = f.parent;
  return f.seq && f.parent !== null ? f.parent : f;
}

/** The column of a comment (or token) that starts its line, or -1 when content precedes it on the line. */
export function columnOf(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t")) i--;
  return i < 0 || text[i] === "\n" ? offset - i - 1 : -1;
}

/** `a` is a strict ancestor of `b`. */
function isAncestor(a: Frame, b: Frame): boolean {
  for (let f = b.parent; f !== null; f = f.parent) if (f === a) return true;
  return false;
}
