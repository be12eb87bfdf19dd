/**
 * Runs a per-file action over a command's files: every file is attempted, each failure is reported
 * on its own line, and the exit status is the most serious failure's.
 */
import { UsageError } from "../core/errors.js";
import type { Ctx } from "./command.js";
import type { GlobalArgs } from "./options.js";
import { describeError } from "./report.js";

export async function runEach(files: readonly string[], args: GlobalArgs & { stdout?: boolean; output?: string }, ctx: Ctx, action: (file: string) => Promise<void>): Promise<void> {
  if (files.length > 1 && args.output !== undefined) throw new UsageError("-o/--output takes one input file");
  if (files.length === 1) {
    await action(files[0]!);
    return;
  }
  for (const file of files) {
    try {
      await action(file);
    } catch (err) {
      const { text, exit } = describeError(err, args.verbose === true);
      ctx.io.stderr.write(text);
      if (exit > ctx.exitCode || ctx.exitCode === 0) ctx.exitCode = Math.max(ctx.exitCode, exit);
    }
  }
}
