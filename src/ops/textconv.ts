/**
 * `kmseal textconv FILE`: what git's diff driver runs to show an encrypted file as its plaintext
 * (`git diff`, `git log -p`, `git show`). It only prints; nothing is written anywhere.
 *
 * git hands over a temporary copy (e.g. /tmp/git-blob-XXXX/app.enc.yaml), so the `file` context
 * cannot be checked against the name; KMS itself still enforces the context stored in the file.
 * A diff must never fail because of one file, so every reason not to decrypt (not encrypted, no
 * key, KMS denied, a damaged file) prints the file as it is, with a one-line note for the last ones.
 */
import { KmsealError } from "../core/errors.js";
import { formatOf } from "../stores/file-name.js";
import { loadStore } from "../stores/registry.js";
import { FORMATS, type Format, type StoreDocument } from "../stores/store.js";
import { decryptToPlaintext } from "./sealing/sealed-file.js";
import type { KeyServices } from "./keys/services.js";

export interface Textconv {
  readonly bytes: Uint8Array;
  /** Why the file is shown as it is although it is encrypted; undefined when decrypted or plaintext. */
  readonly note?: string;
}

export async function textconv(input: Uint8Array, name: string, services: KeyServices, format?: Format): Promise<Textconv> {
  const found = await sealedFormat(input, name, format);
  if (found === undefined) return { bytes: input };
  try {
    return { bytes: await decryptToPlaintext(input, found, {}, services) };
  } catch (err) {
    if (!(err instanceof KmsealError)) throw err;
    return { bytes: input, note: `${oneLine(err.message)}; showing the encrypted text` };
  }
}

/** A key error lists each key tried on a line of its own; a note is one line. */
function oneLine(message: string): string {
  const [head = "", ...rest] = message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return rest.length === 0 ? head : `${head.replace(/:$/, "")}: ${rest.join("; ")}`;
}

/**
 * The format whose store reads `input` as an encrypted document: the one the name says first, then
 * the others, since older git versions prefix temporary names (`XXXXXX_.env.prod.enc`).
 */
async function sealedFormat(input: Uint8Array, name: string, format: Format | undefined): Promise<Format | undefined> {
  if (input.length === 0) return undefined;
  const first = format ?? formatOf(name);
  const order = format !== undefined ? [format] : [first, ...FORMATS.filter((f) => f !== first && f !== "binary"), "binary" as const];
  for (const f of new Set(order)) {
    let doc: StoreDocument;
    try {
      doc = (await loadStore(f)).parse(input);
    } catch {
      continue;
    }
    if (doc.metadata !== null) return f;
  }
  return undefined;
}
