/**
 * The `kmseal` executable (the bundle's entry). It stays tiny: the most frequent command lines
 * (fast-args.ts) load only their command's modules; every other line loads the full yargs CLI of
 * main.ts. Only this file and main.ts touch process.exitCode.
 */
import { EXIT } from "./exit-codes.js";
import { fastCommand } from "./fast-args.js";
import { runFast } from "./fast-run.js";
import { processIo } from "./io.js";

async function main(argv: readonly string[]): Promise<number> {
  const fast = fastCommand(argv);
  if (fast !== undefined) return runFast(fast, processIo());
  return (await import("./main.js")).run(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kmseal: internal error: ${(err as Error).message}\n`);
    process.exitCode = EXIT.internal;
  },
);
