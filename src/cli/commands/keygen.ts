import { createIdentityFile, localIdentityPath } from "../../keys/age/keyring.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

export async function keygenAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs & { output?: string };
  const created = await createIdentityFile(a.output ?? localIdentityPath(ctx.io.env));
  if (!a.quiet) ctx.io.stderr.write(`kmseal: created ${created.path} (keep it secret; back it up)\n`);
  ctx.io.stdout.write(`${created.recipient}\n`);
}
