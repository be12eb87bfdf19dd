import { parseAllDocuments } from "yaml";
import type { PeerFormat } from "./file-format.js";

/** The parts of a sealed file's `sops` metadata the peer suites look at. */
export interface SealedMetadata {
  readonly kms?: ReadonlyArray<{ readonly arn: string; readonly enc: string; readonly context?: Readonly<Record<string, string>> }>;
  readonly age?: ReadonlyArray<{ readonly recipient: string; readonly enc: string }>;
  readonly [field: string]: unknown;
}

type Tree = Record<string, unknown> | unknown[];

/** Rebuilds the metadata tree from dotenv's flattened `sops_a__list_0__map_b` keys (sops-format.md §4.2). */
function unflatten(pairs: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    if (!key.startsWith("sops_")) continue;
    const parts = key.slice("sops_".length).split(/__(?=map_|list_)/);
    let node: Tree = root;
    parts.forEach((part, i) => {
      const name = i === 0 ? part : part.replace(/^(map|list)_/, "");
      const slot: string | number = Array.isArray(node) ? Number(name) : name;
      const last = i === parts.length - 1;
      const next = parts[i + 1];
      const container = (node as Record<string | number, unknown>)[slot];
      if (last) (node as Record<string | number, unknown>)[slot] = value;
      else if (container === undefined) (node as Record<string | number, unknown>)[slot] = next?.startsWith("list_") ? [] : {};
      if (!last) node = (node as Record<string | number, Tree>)[slot] as Tree;
    });
  }
  return root;
}

/** Reads the `sops` metadata of a sealed file of the given format. */
export function sealedMetadata(format: PeerFormat, bytes: Uint8Array): SealedMetadata {
  const text = Buffer.from(bytes).toString("utf8");
  switch (format) {
    case "yaml": {
      const first = parseAllDocuments(text)[0];
      const doc = (first === undefined || !("toJS" in first) ? {} : first.toJS()) as { sops?: SealedMetadata };
      if (doc.sops === undefined) throw new Error("no sops metadata in the YAML file");
      return doc.sops;
    }
    case "json":
    case "binary": {
      const doc = JSON.parse(text) as { sops?: SealedMetadata };
      if (doc.sops === undefined) throw new Error("no sops metadata in the JSON file");
      return doc.sops;
    }
    case "dotenv": {
      const pairs = text
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#") && l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replaceAll("\\n", "\n")] as const);
      return unflatten(pairs);
    }
  }
}
