/**
 * The `sops` block of a JSON document (or of a sealed binary file) as a plain object. sops's Go
 * decoder silently keeps the last of two equal keys; kmseal refuses them in metadata, where a
 * duplicated `mac` or `version` can only mean a hand edit or tampering.
 */
import { FormatError } from "../../core/errors.js";
import { positionOf, type JsonNode } from "./scanner.js";

export function metadataOf(node: JsonNode, text: string, where = "sops"): unknown {
  switch (node.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const m of node.members) {
        if (Object.prototype.hasOwnProperty.call(out, m.key)) {
          const pos = positionOf(text, m.keyStart);
          throw new FormatError(`${where} has the field "${m.key}" twice`, pos, {
            hint: "remove the duplicate; if you did not add it, the file was tampered with",
          });
        }
        out[m.key] = metadataOf(m.value, text, `${where}.${m.key}`);
      }
      return out;
    }
    case "array":
      return node.items.map((item, i) => metadataOf(item, text, `${where}[${i}]`));
    case "string":
      return node.value;
    case "number":
      return Number(node.text);
    case "literal":
      return node.value;
  }
}
