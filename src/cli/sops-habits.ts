/**
 * sops's option names, taken as aliases: `--input-type` for `--format`, and `--output-type` when it
 * names the format the file already has (kmseal writes every file in its own format, so a conversion
 * is refused rather than done differently from sops).
 */
import { UsageError } from "../core/errors.js";
import type { Format } from "../stores/store.js";

export interface FormatArgs {
  format?: Format;
  "input-type"?: Format;
  "output-type"?: Format;
}

/** The format given by --format or --input-type (they must agree), checked against --output-type. */
export function givenFormat(a: FormatArgs, fileFormat: (format: Format | undefined) => Format | undefined): Format | undefined {
  const input = a["input-type"];
  if (a.format !== undefined && input !== undefined && a.format !== input)
    throw new UsageError(`--format ${a.format} and --input-type ${input} disagree`, { hint: "give one of them (--input-type is sops's name for --format)" });
  const format = a.format ?? input;
  const output = a["output-type"];
  if (output !== undefined) {
    const actual = fileFormat(format);
    if (actual !== undefined && actual !== output)
      throw new UsageError(`--output-type ${output} would convert this ${actual} file; kmseal does not convert between formats`, {
        hint: `drop --output-type, or convert the plaintext first (sops decrypt --output-type ${output})`,
      });
  }
  return format;
}
