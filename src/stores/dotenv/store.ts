/**
 * The dotenv store. A value leaf is the raw text after the first `=` (quotes, inline comments and a
 * CRLF file's `\r` included), keyed by the raw text before it: exactly what sops encrypts for the
 * same line, so each tool decrypts the other's files to the same text. Lines are rewritten in place;
 * the metadata is flattened into `sops_…` lines after the data.
 *
 * sops reads every `\n` sequence of a value as a newline. kmseal applies that rule when it reads an
 * encrypted file, where values are `ENC[…]` strings or unencrypted values that sops also hashes that
 * way; in a plaintext file values are taken as written.
 */
import { FormatError } from "../../core/errors.js";
import { goParseBool } from "../../core/go-number.js";
import type { PlainObject } from "../../core/metadata.js";
import { scalar, type Edit, type Leaf, type Scalar } from "../../core/tree.js";
import { flattenMetadata, METADATA_PREFIX, unflattenMetadata } from "./metadata.js";
import { escapeNewlines, hasEscapedNewline, isMultilineQuoted, scanDotenv, unescapeNewlines, type DotenvEntry } from "./scanner.js";
import type { Store, StoreDocument } from "../store.js";

const EMPTY = Buffer.alloc(0);
const HASH = Buffer.from("#");
const EQUALS = Buffer.from("=");
const NEWLINE = Buffer.from("\n");
const CR = 0x0d;
/** Lines that only sops metadata has: their presence marks an encrypted file. */
const METADATA_MARKERS = [/^sops_mac=/m, /^sops_version=/m, /^sops_lastmodified=/m];

interface Item {
  readonly entry: DotenvEntry;
  /** Index into leaves; -1 for blank and metadata lines. */
  readonly leaf: number;
}

export const dotenvStore: Store = {
  format: "dotenv",
  parse(input: Uint8Array): StoreDocument {
    const encrypted = isEncryptedDotenv(input);
    const { entries, finalNewline } = scanDotenv(input, !encrypted);
    const leaves: Leaf[] = [];
    const items: Item[] = [];
    const metadataLines: [string, string][] = [];
    let reserved: FormatError | undefined;
    for (const entry of entries) {
      if (entry.kind === "blank") {
        items.push({ entry, leaf: -1 });
      } else if (entry.kind === "comment") {
        items.push({ entry, leaf: leaves.length });
        leaves.push({ kind: "comment", path: [], value: scalar("comment", Buffer.from(entry.text)) });
      } else {
        const key = entry.key.toString("utf8");
        if (key.startsWith(METADATA_PREFIX)) {
          if (encrypted) {
            metadataLines.push([key, unescapeNewlines(entry.raw).toString("utf8")]);
            items.push({ entry, leaf: -1 });
            continue;
          }
          reserved ??= reservedKey(key, entry.line);
        }
        items.push({ entry, leaf: leaves.length });
        const value = encrypted ? unescapeNewlines(entry.raw) : entry.raw;
        leaves.push({ kind: "value", path: [key], value: scalar("str", Buffer.from(value)) });
      }
    }
    const metadata = encrypted ? unflattenMetadata(metadataLines) : null;
    let byLeaf: DotenvEntry[] | undefined;
    return {
      leaves,
      metadata,
      render(edits: readonly (Edit | undefined)[], meta: PlainObject | null): Uint8Array {
        if (meta !== null && reserved !== undefined) throw reserved;
        const lines = renderLines(items, leaves, edits, meta !== null, encrypted);
        if (meta !== null) for (const [k, v] of flattenMetadata(meta)) lines.push(Buffer.concat([Buffer.from(k), EQUALS, escapeNewlines(Buffer.from(v))]));
        const out = lines.flatMap((line, i) => (i === 0 ? [line] : [NEWLINE, line]));
        if (finalNewline && lines.length > 0) out.push(NEWLINE);
        return Buffer.concat(out);
      },
      source(i: number): string | null {
        if (byLeaf === undefined) {
          byLeaf = [];
          for (const item of items) if (item.leaf !== -1) byLeaf[item.leaf] = item.entry;
        }
        const entry = byLeaf[i];
        if (entry === undefined) return null;
        const raw = entry.kind === "comment" ? entry.text : entry.kind === "value" ? entry.raw : null;
        return raw === null ? null : utf8OrNull(raw);
      },
    };
  },
};

/** Every data line, without its line break. `sealing`: writing a file sops must read. */
function renderLines(items: readonly Item[], leaves: readonly Leaf[], edits: readonly (Edit | undefined)[], sealing: boolean, encrypted: boolean): Buffer[] {
  const lines: (Buffer | undefined)[] = [];
  for (const { entry, leaf } of items) {
    if (entry.kind === "blank") {
      // sops rejects whitespace-only lines, so a sealed file has empty ones; when it is opened again
      // they take the line ending of their neighbours (undefined here, resolved below).
      lines.push(sealing ? EMPTY : encrypted && entry.text.length === 0 ? undefined : entry.text);
    } else if (entry.kind === "comment") {
      const edit = edits[leaf];
      const body = edit === undefined ? entry.text : edit.kind === "plain" ? edit.value.bytes : Buffer.from(edit.text);
      // sops only knows comments whose first byte is `#`.
      lines.push(Buffer.concat([sealing ? EMPTY : entry.indent, HASH, body]));
    } else if (leaf !== -1) {
      lines.push(Buffer.concat([entry.key, EQUALS, valueText(entry, leaves[leaf]!.value, edits[leaf], sealing, encrypted)]));
    }
  }
  return resolveBlankLines(lines);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** The manifest holds text; a value that is not UTF-8 has no spelling it could keep. */
function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function isEncryptedDotenv(input: Uint8Array): boolean {
  const text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1");
  return METADATA_MARKERS.some((re) => re.test(text));
}

function reservedKey(key: string, line: number): FormatError {
  return new FormatError(
    `line ${line}: the key ${key} starts with "${METADATA_PREFIX}", which sops reserves for its metadata`,
    { line, column: 1 },
    { hint: `rename the key; sops reads every ${METADATA_PREFIX} key as part of the sops metadata` },
  );
}

/** The text after `=` for one value line. */
function valueText(entry: DotenvEntry & { kind: "value" }, value: Scalar, edit: Edit | undefined, sealing: boolean, encrypted: boolean): Uint8Array {
  if (edit !== undefined) return edit.kind === "plain" ? plainText(edit.value, sealing) : Buffer.from(edit.text);
  if (encrypted) return sealing ? entry.raw : plainText(value, false);
  if (!sealing) return entry.raw;
  // An unencrypted value going into a sealed file: sops will read it with `\n` turned into a newline
  // and hash that, so a literal `\n` would make the MAC differ between the writer and every reader.
  if (hasEscapedNewline(entry.raw)) {
    const key = entry.key.toString("utf8");
    throw new FormatError(
      `line ${entry.line}: the unencrypted value of ${key} contains the characters \\n, which sops reads as a line break, so the MAC would not verify`,
      { line: entry.line, column: entry.key.length + 2 },
      { hint: `encrypt ${key}, or write the value without a backslash before n` },
    );
  }
  return escapeNewlines(entry.raw);
}

/** A decrypted value: as it is, but a newline only stays real inside a multi-line quoted value. */
function plainText(value: Scalar, sealing: boolean): Uint8Array {
  const bytes = value.type === "bool" ? Buffer.from(goParseBool(Buffer.from(value.bytes).toString("utf8")) ? "true" : "false") : value.bytes;
  if (!bytes.includes(0x0a) || (!sealing && isMultilineQuoted(bytes))) return bytes;
  return escapeNewlines(bytes);
}

/** Blank lines of an opened sealed file get a `\r` when the nearest non-empty line has one. */
function resolveBlankLines(lines: readonly (Buffer | undefined)[]): Buffer[] {
  const crAt = (i: number): boolean | undefined => {
    const line = lines[i];
    return line === undefined || line.length === 0 ? undefined : line[line.length - 1] === CR;
  };
  return lines.map((line, i) => {
    if (line !== undefined) return line;
    for (let j = i - 1; j >= 0; j--) {
      const cr = crAt(j);
      if (cr !== undefined) return cr ? Buffer.from("\r") : EMPTY;
    }
    for (let j = i + 1; j < lines.length; j++) {
      const cr = crAt(j);
      if (cr !== undefined) return cr ? Buffer.from("\r") : EMPTY;
    }
    return EMPTY;
  });
}
