/**
 * Sealed files as environment variables, the one owner of that mapping for `kmseal exec`, the
 * library loader and `kmseal get` on dotenv files: top-level values by name; nested values
 * flattened as PARENT_CHILD (or refused in strict mode); comments and nulls skipped.
 */
import { KmsealError, UsageError } from "../../core/errors.js";
import { interpretDotenv, type DotenvVariable } from "../../stores/dotenv/value.js";
import { formatOf } from "../../stores/file-name.js";
import type { Format } from "../../stores/store.js";
import type { Leaf, Scalar } from "../../core/tree.js";
import { readInput } from "../../platform/read-input.js";
import type { KeyServices } from "../keys/services.js";
import { withOpened, type OpenedFile } from "../sealing/sealed-file.js";

export interface EnvOptions {
  readonly strict?: boolean | undefined;
}

export interface EnvFileOptions extends EnvOptions {
  readonly format?: Format | undefined;
  readonly as?: string | undefined;
  readonly configPath?: string | undefined;
}

/** The variables of the files in order; a later file's value wins. */
export async function loadEnvFiles(files: readonly string[], opts: EnvFileOptions, services: KeyServices): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const file of files) {
    const format = opts.format ?? formatOf(file);
    try {
      const values = await withOpened(
        await readInput(file),
        format,
        { path: file, as: opts.as, configPath: opts.configPath, refuseConflicts: true },
        services,
        (sealed) => envValues(sealed, opts),
      );
      for (const [k, v] of values) all.set(k, v);
    } catch (err) {
      if (err instanceof KmsealError) err.inFile(file);
      throw err;
    }
  }
  return all;
}

/**
 * The variables a dotenv document's lines define, as loaders read them, in line order (a name may
 * repeat; loaders let the last line win). `values` are the leaves' plaintexts, when not the leaves' own.
 */
export function* dotenvVariables(
  leaves: readonly Leaf[],
  values: readonly Scalar[] = leaves.map((l) => l.value),
  text: (value: Scalar) => string = (v) => Buffer.from(v.bytes).toString("utf8"),
): Generator<DotenvVariable> {
  for (const [i, leaf] of leaves.entries()) {
    if (leaf.kind !== "value" || leaf.path.length !== 1) continue;
    yield interpretDotenv(leaf.path[0]!, text(values[i]!));
  }
}

/** The value loaders read for `name`: its last line's. */
export function dotenvValue(leaves: readonly Leaf[], values: readonly Scalar[], name: string): string | undefined {
  let found: string | undefined;
  for (const v of dotenvVariables(leaves, values)) if (v.name === name) found = v.value;
  return found;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function envValues(file: OpenedFile, opts: EnvOptions = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (file.format === "binary") throw new UsageError("a binary file has no named values to export", { hint: "use a dotenv, YAML or JSON file" });
  if (file.format === "dotenv") {
    for (const { name, value } of dotenvVariables(file.doc.leaves, file.opened.values)) out.set(name, value);
    return out;
  }
  const text = Buffer.from(file.plaintext()).toString("utf8");
  // The `yaml` library is needed only for YAML and JSON files, never for a dotenv file's variables.
  const { parseAllDocuments } = await import("yaml");
  const doc = parseAllDocuments(text, { intAsBigInt: true })[0];
  const data: unknown = doc === undefined || Array.isArray(doc) ? {} : (doc as { toJS(): unknown }).toJS();
  flatten(data, "", out, opts.strict === true);
  return out;
}

function flatten(value: unknown, prefix: string, out: Map<string, string>, strict: boolean): void {
  if (value === null || value === undefined) return;
  if (typeof value === "object" && !(value instanceof Date)) {
    if (prefix !== "" && strict) throw new UsageError(`"${prefix}" holds a nested value; --strict allows only top-level scalars`, { keyPath: prefix });
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) flatten(v, prefix === "" ? k : `${prefix}_${k}`, out, strict);
    return;
  }
  if (!NAME.test(prefix))
    throw new UsageError(`"${prefix}" is not a valid environment variable name`, {
      keyPath: prefix,
      hint: "rename the key, or read the file with `kmseal get`",
    });
  // Only scalars reach here (collections were flattened above): String() is their text.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
  out.set(prefix, value instanceof Date ? value.toISOString() : String(value));
}
