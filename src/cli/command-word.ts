/**
 * Where the command name is in a command line. main.ts parses with it, and the bundled bin uses it
 * to pick the one script that holds that command, so both always agree on which command runs.
 */
import { GLOBAL_FLAGS } from "./flags.js";

/**
 * The first word, after any global options (`kmseal --profile dev login`). undefined: no command word
 * (a bare `--help` or `--version`, or nothing at all).
 */
export function commandIndex(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") return undefined;
    if (!token.startsWith("-")) return i;
    const name = token.startsWith("--") ? token.slice(2) : undefined;
    if (name !== undefined && !name.includes("=") && GLOBAL_FLAGS[name]?.kind === "string") i++;
  }
  return undefined;
}
