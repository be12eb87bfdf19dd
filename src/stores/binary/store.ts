/**
 * The binary store: the whole file is one value under `data`, kept as raw bytes (never decoded as
 * text). Sealed, it is the JSON envelope sops's binary store writes:
 * `{"data": "ENC[…]", "sops": {…}}`, tab-indented, with a final newline.
 */
import { metadataOf } from "../json/metadata.js";
import { scanJson, type JsonNode } from "../json/scanner.js";
import { FormatError } from "../../core/errors.js";
import type { PlainObject } from "../../core/metadata.js";
import { scalar, type Edit, type Leaf } from "../../core/tree.js";
import { formatJson } from "../json/format.js";
import type { Store, StoreDocument } from "../store.js";

const DATA_KEY = "data";
const SOPS_KEY = "sops";

export const binaryStore: Store = {
  format: "binary",
  parse(input: Uint8Array): StoreDocument {
    const envelope = readEnvelope(input);
    const data = envelope === null ? Buffer.from(input) : Buffer.from(envelope.data, "utf8");
    const leaf: Leaf = { kind: "value", path: [DATA_KEY], value: scalar("str", data) };
    return {
      leaves: [leaf],
      metadata: envelope === null ? null : envelope.sops,
      render(edits: readonly (Edit | undefined)[], meta: PlainObject | null): Uint8Array {
        const edit = edits[0];
        if (meta === null) {
          if (edit === undefined) return data;
          return edit.kind === "plain" ? edit.value.bytes : Buffer.from(edit.text, "utf8");
        }
        const text = edit === undefined ? envelopeText(data) : edit.kind === "plain" ? envelopeText(edit.value.bytes) : edit.text;
        const doc = formatJson({ [DATA_KEY]: text, [SOPS_KEY]: meta }, { indent: "", unit: "\t", newline: "\n" });
        return Buffer.from(doc + "\n", "utf8");
      },
      // The value is the file's bytes, written back as they are: there is no other spelling.
      source: () => null,
    };
  },
};

/** A sealed binary file: a JSON object with a string `data` and an object `sops`; null otherwise. */
function readEnvelope(input: Uint8Array): { data: string; sops: Record<string, unknown> } | null {
  // Only something that starts like a JSON object is worth decoding; raw binary rarely does.
  const first = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1", 0, 64).trimStart();
  if (!first.startsWith("{")) return null;
  let text: string;
  let root: JsonNode;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
    root = scanJson(text);
  } catch {
    return null;
  }
  if (root.kind !== "object") return null;
  const dataNode = root.members.find((m) => m.key === DATA_KEY)?.value;
  const sopsNode = root.members.find((m) => m.key === SOPS_KEY)?.value;
  if (dataNode?.kind !== "string" || sopsNode?.kind !== "object") return null;
  // Looks sealed: from here on a malformed block is an error, not "plaintext".
  const data = dataNode.value;
  const sops = metadataOf(sopsNode, text);
  return { data, sops: sops as Record<string, unknown> };
}

/** Data that stays unencrypted in the envelope must be text, since it becomes a JSON string. */
function envelopeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError(
      "binary data that is not UTF-8 text can only be stored encrypted",
      {},
      { hint: "do not exclude the `data` key from encryption for binary files" },
    );
  }
}
