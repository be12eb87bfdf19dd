/** `kmseal get FILE KEYPATH`: one decrypted value, as text. Nothing is written anywhere. */
import { KmsealError, UsageError } from "../core/errors.js";
import { formatOf } from "../stores/file-name.js";
import type { Format } from "../stores/store.js";
import { withOpened } from "./sealing/sealed-file.js";
import { readInput } from "../platform/read-input.js";
import type { KeyServices } from "./keys/services.js";
import { showKeyPath, type KeyPath } from "../stores/edit/key-path.js";
import { textOf, type Got } from "../stores/edit/editor.js";
import { dotenvValue } from "./env/values.js";
import { loadGetter } from "../stores/registry.js";

export interface GetOptions {
  readonly format?: Format | undefined;
  readonly as?: string | undefined;
  readonly configPath?: string | undefined;
}

/**
 * The value at `path`: a string as it is, a number or boolean as written, null as `null`, a mapping
 * or list as compact JSON. A missing value is a usage error that names the path.
 */
export async function getValue(file: string, path: KeyPath, opts: GetOptions, services: KeyServices): Promise<string> {
  return (await getTyped(file, path, opts, services)).text;
}

/** `getValue`, saying whether the value is a string (sops's `decrypt --extract` prints those without a newline). */
export async function getTyped(file: string, path: KeyPath, opts: GetOptions, services: KeyServices): Promise<Got> {
  try {
    const format = opts.format ?? formatOf(file === "-" ? (opts.as ?? "") : file);
    if (format === "binary") throw new UsageError("a binary file is one value and has no key paths", { hint: "use `kmseal decrypt --stdout`" });
    if (format === "dotenv" && path.length !== 1)
      throw new UsageError(`a dotenv file has only top-level names; "${showKeyPath(path)}" has ${path.length} segments`);
    const value = await withOpened(
      await readInput(file),
      format,
      { path: file === "-" ? undefined : file, as: opts.as, configPath: opts.configPath },
      services,
      async (sealed): Promise<Got | undefined> => {
        if (format === "dotenv") {
          const text = dotenvValue(sealed.doc.leaves, sealed.opened.values, path[0]!);
          return text === undefined ? undefined : { text, string: true };
        }
        const text = textOf(sealed.plaintext());
        return (await loadGetter(format === "yaml" ? "yaml" : "json"))(text, path);
      },
    );
    if (value === undefined) throw new KmsealError("usage", "no such key", { keyPath: showKeyPath(path) });
    return value;
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file === "-" ? "(stdin)" : file);
    throw err;
  }
}
