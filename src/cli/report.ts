/** How errors reach people: one line saying what, where (file, position, key path), then a hint. */
import { KmsealError } from "../core/errors.js";
import { exitCodeOf, EXIT } from "./exit-codes.js";

export function describeError(err: unknown, verbose: boolean): { text: string; exit: number } {
  if (err instanceof KmsealError) {
    // The message already starts with the file, position and key path.
    let text = `kmseal: ${err.message}\n`;
    if (err.hint) text += `  hint: ${err.hint}\n`;
    if (verbose && err.stack) text += err.stack + "\n";
    return { text, exit: exitCodeOf(err.code) };
  }
  const e = err instanceof Error ? err : undefined;
  let text = `kmseal: internal error: ${e?.message ?? String(err)}\n  this is a bug; rerun with --verbose and report it\n`;
  if (verbose && e?.stack !== undefined) text = `kmseal: internal error\n${e.stack}\n`;
  return { text, exit: EXIT.internal };
}
