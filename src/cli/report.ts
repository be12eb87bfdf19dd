/** How errors reach people: one line saying what, where (file, position, key path), then a hint. */
import { KmsealError } from "../core/errors.js";
import { exitCodeOf, EXIT } from "./exit-codes.js";

/** An error as data: what `describeError` prints, and what `--json` reports for a failed file. */
export interface ErrorSummary {
  readonly code: string;
  readonly exit: number;
  readonly message: string;
  readonly hint: string | null;
}

export function errorSummary(err: unknown): ErrorSummary {
  // A KmsealError's message already starts with the file, position and key path.
  if (err instanceof KmsealError)
    return { code: err.code, exit: exitCodeOf(err.code), message: err.message, hint: err.hint !== undefined && err.hint !== "" ? err.hint : null };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "internal", exit: EXIT.internal, message: `internal error: ${message}`, hint: "this is a bug; rerun with --verbose and report it" };
}

export function describeError(err: unknown, verbose: boolean): { text: string; exit: number } {
  const { message, hint, exit } = errorSummary(err);
  const stack = err instanceof Error ? err.stack : undefined;
  if (verbose && stack !== undefined && !(err instanceof KmsealError)) return { text: `kmseal: internal error\n${stack}\n`, exit };
  let text = `kmseal: ${message}\n`;
  if (hint !== null) text += err instanceof KmsealError ? `  hint: ${hint}\n` : `  ${hint}\n`;
  if (verbose && stack !== undefined) text += stack + "\n";
  return { text, exit };
}
