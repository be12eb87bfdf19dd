import { moveFile } from "../../ops/move.js";
import { plaintextCopyWarning } from "../../ops/plaintext/copy.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

export async function mvAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { src: string; dst: string; force?: boolean };
  const r = await moveFile(a.src, a.dst, { ...(a.config !== undefined ? { configPath: a.config } : {}), force: a.force === true }, servicesFor(a, ctx.io));
  ctx.io.stdout.write(`${r.to}\n`);
  if (!a.quiet) {
    if (r.methods.length > 0) ctx.io.stderr.write(`kmseal: re-bound ${r.methods.length} KMS key(s) with ${[...new Set(r.methods)].join(" and ")}\n`);
    if (r.plaintextMoved !== null) ctx.io.stderr.write(`kmseal: moved the plaintext copy along to ${r.plaintextMoved}\n`);
    if (r.plaintextLeft !== null)
      ctx.io.stderr.write(
        `kmseal: the plaintext ${r.plaintextLeft} was not moved (its new name is taken); kmseal encrypt refuses it from now on: delete it, or move it yourself\n`,
      );
  }
  // Its new place may be one .gitignore does not cover; said even with --quiet, as decrypt does.
  const warning = r.plaintextMoved !== null ? await plaintextCopyWarning(r.plaintextMoved) : null;
  if (warning !== null) ctx.io.stderr.write(`kmseal: ${warning}\n`);
}
