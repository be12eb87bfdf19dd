/**
 * The whole CLI as a function (`run`; tests call it in-process): find the command, parse its line
 * with its table, load only that command's module and run it. bin.ts is the process around it.
 */
import { ArgvError, closest, parseArgs } from "./args.js";
import { COMMANDS, commandNamed, VERSION } from "./catalog.js";
import type { Ctx } from "./command.js";
import { commandIndex } from "./command-word.js";
import { EXIT } from "./exit-codes.js";
import { GLOBAL_FLAGS } from "./flags.js";
import { processIo, type Io } from "./io.js";
import { describeError } from "./report.js";

const OVERVIEW_USAGE = "kmseal <command> [options]";

export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const ctx: Ctx = { io, exitCode: EXIT.ok };
  const end = argv.indexOf("--");
  const before = end < 0 ? argv : argv.slice(0, end);
  const verbose = before.includes("-v") || before.includes("--verbose");
  try {
    const at = commandIndex(argv);
    if (at === undefined) {
      if (before.includes("--version")) io.stdout.write(`${VERSION}\n`);
      else if (before.includes("--help") || before.includes("-h")) io.stdout.write((await import("./help.js")).overviewHelp(COMMANDS, helpWidth()));
      else throw new ArgvError("name a command", OVERVIEW_USAGE, "kmseal --help");
      return EXIT.ok;
    }
    const name = argv[at]!;
    const spec = commandNamed(name);
    if (spec === undefined) {
      const near = closest(
        name,
        COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]),
      );
      throw new ArgvError(`unknown command "${name}"${near !== undefined ? `; did you mean ${near}?` : ""}`, OVERVIEW_USAGE, "kmseal --help");
    }
    const parsed = parseArgs(spec, [...argv.slice(0, at), ...argv.slice(at + 1)], GLOBAL_FLAGS);
    if (parsed.help) {
      io.stdout.write((await import("./help.js")).commandHelp(spec, helpWidth()));
      return EXIT.ok;
    }
    await (
      await spec.load()
    )(parsed.args, ctx);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof ArgvError) {
      io.stderr.write(`kmseal: ${err.message}\nusage: ${err.usage}\n  more: ${err.helpCommand}\n`);
      return EXIT.usage;
    }
    const { text, exit } = describeError(err, verbose);
    io.stderr.write(text);
    return exit;
  }
}

function helpWidth(): number {
  // Node types `columns` as a number, but it is undefined when stdout is not a terminal.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  return Math.min(110, process.stdout.columns ?? 100);
}
