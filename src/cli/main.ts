/**
 * The bin entry: flags → ops → output. `run` is the whole CLI as a function (tests call it
 * in-process); only the bottom of this file touches process.exit.
 */
import yargs, { type Argv } from "yargs";
import { UsageError } from "../core/errors.js";
import type { Ctx } from "./command.js";
import { checkCommand } from "./commands/check.js";
import { diffDriverCommand, textconvCommand } from "./commands/diff-driver.js";
import { mergeCommand, mergeDriverCommand } from "./commands/merge.js";
import { decryptCommand } from "./commands/decrypt.js";
import { editCommand } from "./commands/edit.js";
import { encryptCommand } from "./commands/encrypt.js";
import { execCommand } from "./commands/exec.js";
import { getCommand } from "./commands/get.js";
import { hookCommand } from "./commands/hook.js";
import { initCommand } from "./commands/init.js";
import { keygenCommand } from "./commands/keygen.js";
import { mvCommand } from "./commands/mv.js";
import { sessionCommands } from "./commands/session.js";
import { setCommand, unsetCommand } from "./commands/set.js";
import { rotateCommand, updatekeysCommand } from "./commands/rekey.js";
import { statusCommand } from "./commands/status.js";
import { EXIT } from "./exit-codes.js";
import { processIo, type Io } from "./io.js";
import { globalOptions } from "./options.js";
import { describeError } from "./report.js";

const VERSION = "0.1.0";
const COMMANDS = [encryptCommand, decryptCommand, editCommand, getCommand, setCommand, unsetCommand, rotateCommand, updatekeysCommand, mvCommand, execCommand, keygenCommand, sessionCommands, statusCommand, checkCommand, hookCommand, initCommand, diffDriverCommand, textconvCommand, mergeDriverCommand, mergeCommand];

export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const ctx: Ctx = { io, exitCode: EXIT.ok };
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  let parser: Argv = globalOptions(yargs([...argv]))
    .scriptName("kmseal")
    .usage("kmseal <command> [options]\n\nsops-compatible secrets files: values encrypted with AES-256-GCM, the data key wrapped by AWS KMS (bound to the file's path) or age.")
    .strict()
    .demandCommand(1, "name a command (kmseal --help lists them)")
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const command of COMMANDS) parser = command(parser, ctx);
  let helpOrVersion = "";
  try {
    await parser.parseAsync([...argv], {}, (_err, _args, output) => {
      helpOrVersion = output;
    });
    if (helpOrVersion) io.stdout.write(helpOrVersion + "\n");
    return ctx.exitCode;
  } catch (err) {
    const { text, exit } = describeError(err, verbose);
    io.stderr.write(text);
    if (exit === EXIT.usage && !(err as { code?: string }).code) io.stderr.write("  run `kmseal --help` for usage\n");
    return exit;
  }
}

// The bundled executable's entry is bin.ts; this runs the compiled module directly (`node build/src/cli/main.js`).
const isMain = process.argv[1] !== undefined && /cli[\\/]main\.js$/.test(process.argv[1]);
if (isMain) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`kmseal: internal error: ${(err as Error).message}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
