import { KmsealError } from "../../core/errors.js";
import { createIdentityFile, identityFileRecipients, localIdentityPath } from "../../keys/age/keyring.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

export async function keygenAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs & { output?: string; show?: boolean };
  const path = a.output ?? localIdentityPath(ctx.io.env);
  if (a.show === true) return show(path, a, ctx);
  const created = await createIdentityFile(path);
  if (!a.quiet) ctx.io.stderr.write(`kmseal: created ${created.path} (keep it secret; back it up)\n`);
  ctx.io.stdout.write(`${created.recipient}\n`);
}

/** The recipients of an existing identity file, one per line; the secret keys never leave the file. */
async function show(path: string, a: GlobalArgs, ctx: Ctx): Promise<void> {
  const found = await identityFileRecipients(path);
  if (found === null)
    throw new KmsealError("key", `there is no age identity file at ${path}`, { hint: "create one with `kmseal keygen`, or name yours with -o PATH" });
  if (found.recipients.length === 0 && found.plugin.length === 0)
    throw new KmsealError("key", `${path} holds no age identity (no AGE-SECRET-KEY-… or AGE-PLUGIN-… line)`, {
      hint: "create one with `kmseal keygen -o PATH`",
    });
  for (const r of found.recipients) ctx.io.stdout.write(`${r}\n`);
  if (!a.quiet)
    for (const name of found.plugin)
      ctx.io.stderr.write(`kmseal: ${path} also holds an age-plugin-${name} identity; its recipient comes from the plugin (e.g. age-plugin-${name} --list)\n`);
}
