import { moveFile } from "../../ops/move.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

export async function mvAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { src: string; dst: string; force?: boolean };
  const r = await moveFile(a.src, a.dst, { ...(a.config !== undefined ? { configPath: a.config } : {}), force: a.force === true }, servicesFor(a, ctx.io));
  ctx.io.stdout.write(`${r.to}\n`);
  if (!a.quiet) {
    if (r.methods.length > 0) ctx.io.stderr.write(`kmseal: re-bound ${r.methods.length} KMS key(s) with ${[...new Set(r.methods)].join(" and ")}\n`);
    if (r.plaintextLeft !== null) ctx.io.stderr.write(`kmseal: the plaintext ${r.plaintextLeft} was not moved; move or delete it yourself\n`);
  }
}
