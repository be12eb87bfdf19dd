/**
 * Runs a command line that fast-args.ts accepted: the command's own module only (no yargs, no other
 * command's dependencies), with the same error reporting and exit codes as `run` in main.ts.
 */
import type { Ctx } from "./command.js";
import type { CheckArgs } from "./commands/check.js";
import type { DecryptArgs } from "./commands/decrypt.js";
import type { EncryptArgs } from "./commands/encrypt.js";
import { EXIT } from "./exit-codes.js";
import type { FastCommand } from "./fast-args.js";
import type { Io } from "./io.js";
import { describeError } from "./report.js";

export async function runFast(command: FastCommand, io: Io): Promise<number> {
  const ctx: Ctx = { io, exitCode: EXIT.ok };
  try {
    switch (command.name) {
      case "check":
        await (await import("./commands/check.js")).checkAction(command.args as CheckArgs, ctx);
        break;
      case "decrypt":
        await (await import("./commands/decrypt.js")).decryptAction(command.args as DecryptArgs, ctx);
        break;
      case "encrypt":
        await (await import("./commands/encrypt.js")).encryptAction(command.args as EncryptArgs, ctx);
        break;
    }
    return ctx.exitCode;
  } catch (err) {
    const { text, exit } = describeError(err, command.args["verbose"] === true);
    io.stderr.write(text);
    return exit;
  }
}
