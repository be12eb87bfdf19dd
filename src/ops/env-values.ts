/**
 * A decrypted document as environment variables: top-level values by name; nested values flattened
 * as PARENT_CHILD (or refused in strict mode); comments and nulls skipped.
 */
import { parseAllDocuments } from "yaml";
import { UsageError } from "../core/errors.js";
import { interpretDotenv } from "../stores/dotenv/value.js";
import type { Format } from "../stores/store.js";
import type { Leaf, Scalar } from "../core/tree.js";

export interface EnvOptions {
  readonly strict?: boolean | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function envValues(format: Format, leaves: readonly Leaf[], values: readonly Scalar[], plaintext: Uint8Array, opts: EnvOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  if (format === "binary") throw new UsageError("a binary file has no named values to export", { hint: "use a dotenv, YAML or JSON file" });
  if (format === "dotenv") {
    leaves.forEach((leaf, i) => {
      if (leaf.kind !== "value" || leaf.path.length !== 1) return;
      const { name, value } = interpretDotenv(leaf.path[0]!, Buffer.from(values[i]!.bytes).toString("utf8"));
      out.set(name, value);
    });
    return out;
  }
  const text = Buffer.from(plaintext).toString("utf8");
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
  if (!NAME.test(prefix)) throw new UsageError(`"${prefix}" is not a valid environment variable name`, { keyPath: prefix, hint: "rename the key, or read the file with `kmseal get`" });
  out.set(prefix, value instanceof Date ? value.toISOString() : String(value));
}
