/**
 * Runs a per-file action over a command's files. One file: errors propagate as they are. Several:
 * bounded concurrency (KMS calls share a per-account rate limit), every file attempted, each failure
 * reported on its own line, a progress line on a terminal, a summary, and the most serious exit code.
 */
import { UsageError } from "../core/errors.js";
import type { KeyServices } from "../ops/keys/services.js";
import { filesFor } from "./bulk-files.js";
import type { Ctx } from "./command.js";
import { servicesFor, type GlobalArgs } from "./options.js";
import type { FileEntry, JsonReport } from "./json-report.js";
import { describeError } from "./report.js";

const CONCURRENCY = 8;

/** What a file's action reports under --json (the file's name is added). */
export type Outcome = Omit<FileEntry, "ok" | "file">;

export async function runEach(
  files: readonly string[],
  args: GlobalArgs & { stdout?: boolean; output?: string },
  ctx: Ctx,
  action: (file: string) => Promise<Outcome>,
  verb = "processed",
  report?: JsonReport,
): Promise<void> {
  if (files.length > 1 && args.output !== undefined) throw new UsageError("-o/--output takes one input file");
  // Under --json even one file's failure is an entry of the report, not an error of the command.
  if (files.length === 1 && report === undefined) {
    await action(files[0]!);
    return;
  }
  // The report is stdout's; the progress line and the summary would only repeat it.
  const chatty = report === undefined && !args.quiet;
  const progress = chatty && ctx.io.stderrIsTTY && !ctx.io.env["CI"];
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < files.length) {
      const at = next++;
      const file = files[at]!;
      try {
        const outcome = await action(file);
        report?.add(at, file, outcome);
      } catch (err) {
        failed++;
        report?.failed(at, file, err);
        const { text, exit } = describeError(err, args.verbose === true);
        if (progress) ctx.io.stderr.write("\r\x1b[K");
        ctx.io.stderr.write(text);
        ctx.exitCode = worse(ctx.exitCode, exit);
      }
      done++;
      if (progress) ctx.io.stderr.write(`\r\x1b[Kkmseal: ${done}/${files.length} files`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  if (progress) ctx.io.stderr.write("\r\x1b[K");
  report?.write(ctx.io);
  if (chatty) ctx.io.stderr.write(`kmseal: ${verb} ${done - failed} of ${files.length} files${failed > 0 ? `, ${failed} failed` : ""}\n`);
}

type FileArgs = GlobalArgs & { files?: string[]; all?: boolean; stdout?: boolean; output?: string };

/**
 * The shape of the bulk commands (encrypt, decrypt, rotate, updatekeys): one set of key services,
 * the files the command line names (or `--all` covers), `runEach` over them.
 */
export async function runEachFile(
  kind: "plaintext" | "encrypted",
  args: FileArgs,
  ctx: Ctx,
  verb: string,
  action: (file: string, services: KeyServices) => Promise<Outcome>,
  report?: JsonReport,
): Promise<void> {
  const services = servicesFor(args, ctx.io);
  await runEach(await filesFor(kind, args), args, ctx, (file) => action(file, services), verb, report);
}

/** Integrity and key failures outrank usage errors; an internal error (1) outranks nothing else. */
function worse(current: number, next: number): number {
  const rank = (c: number) => (c === 0 ? 0 : c === 1 ? 1 : c + 1);
  return rank(next) > rank(current) ? next : current;
}
