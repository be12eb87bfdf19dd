/**
 * The `kmseal` executable (the bundle's entry; also runnable compiled, `node build/src/cli/bin.js`).
 * It loads the command tables and the parser; a command's own module loads only when it runs.
 * Only this file touches process.exitCode.
 */
import { EXIT } from "./exit-codes.js";
import { run } from "./main.js";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kmseal: internal error: ${(err as Error).message}\n`);
    process.exitCode = EXIT.internal;
  },
);
