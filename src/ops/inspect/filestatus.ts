/**
 * `filestatus`: whether a file is sops-encrypted, decided as sops decides it: it parses in its
 * format, carries a `sops` metadata block, and that block has a version and a MAC. No key is used
 * and nothing about the values is checked (`kmseal check` does that).
 */
import { readFile } from "node:fs/promises";
import { KmsealError, UsageError } from "../../core/errors.js";
import { formatOf } from "../../stores/file-name.js";
import { loadStore } from "../../stores/registry.js";
import type { Format } from "../../stores/store.js";

export async function fileStatus(file: string, format?: Format): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`, { file });
  }
  try {
    const doc = (await loadStore(format ?? formatOf(file))).parse(bytes);
    const meta = doc.metadata as Record<string, unknown> | null | undefined;
    if (meta === null || meta === undefined || typeof meta !== "object") return false;
    const present = (k: string) => typeof meta[k] === "string" && meta[k] !== "";
    return present("version") && present("mac");
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file);
    throw err;
  }
}
