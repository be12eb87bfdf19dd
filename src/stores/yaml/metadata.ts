/**
 * The `sops:` block as YAML text, laid out as sops 3.13 (yaml.v3, indent 4) writes it: nested
 * mappings at the next multiple of 4, list items `- ` with the item's keys aligned after the dash,
 * multi-line strings (age armor) as literal blocks, timestamps and look-alikes double-quoted.
 */
import type { PlainObject } from "../../core/metadata.js";
import { blockText, isSafePlain, quoteDouble } from "./scalar.js";

const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:$|[Tt ])/;

/** yaml.v3's rule: indentation inside a mapping moves to the next multiple of the indent (4). */
function deeper(indent: number): number {
  return 4 * Math.floor((indent + 4) / 4);
}

export function emitSops(meta: PlainObject, indent: number, eol: string): string {
  return new Emitter(eol).entry(" ".repeat(indent) + "sops:", meta, indent);
}

class Emitter {
  constructor(private readonly eol: string) {}

  /** `head` is the text before the value on its first line (indentation, `- `, `key:`). */
  entry(head: string, value: unknown, indent: number): string {
    if (Array.isArray(value)) {
      return value.length === 0 ? head + " []" + this.eol : head + this.eol + this.list(value, deeper(indent));
    }
    if (isObject(value)) {
      const keys = Object.keys(value);
      return keys.length === 0 ? head + " {}" + this.eol : head + this.eol + this.mapping(value, deeper(indent), " ".repeat(deeper(indent)));
    }
    return head + " " + this.scalar(value, indent, deeper(indent));
  }

  /** `lead` starts the first line (indentation, or the `- ` of a list item); later keys align with it. */
  private mapping(obj: Record<string, unknown>, indent: number, lead: string): string {
    let out = "";
    let first = true;
    for (const [k, v] of Object.entries(obj)) {
      out += this.entry((first ? lead : " ".repeat(indent)) + key(k) + ":", v, indent);
      first = false;
    }
    return out;
  }

  private list(items: readonly unknown[], indent: number): string {
    let out = "";
    const dash = " ".repeat(indent) + "- ";
    for (const item of items) {
      if (isObject(item) && Object.keys(item).length > 0) out += this.mapping(item, indent + 2, dash);
      else if (Array.isArray(item) && item.length > 0) out += dash.trimEnd() + this.eol + this.list(item, indent + 2);
      else out += this.entry(dash.trimEnd(), item, indent + 2);
    }
    return out;
  }

  /** A scalar and its line break; multi-line strings become a literal block whose body is at `body`. */
  private scalar(value: unknown, indent: number, body: number): string {
    if (typeof value === "boolean" || typeof value === "number" || typeof value === "bigint") return String(value) + this.eol;
    if (value === null || value === undefined) return "null" + this.eol;
    const s = typeof value === "string" ? value : JSON.stringify(value);
    if (s.includes("\n")) {
      const block = blockText(s, { folded: false, baseIndent: indent, bodyIndent: body, eol: this.eol });
      if (block !== null) return block.head + this.eol + block.body;
    }
    return (TIMESTAMP.test(s) || !isSafePlain(s, false, false) ? quoteDouble(s) : s) + this.eol;
  }
}

function key(k: string): string {
  return isSafePlain(k, false, false) ? k : quoteDouble(k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
