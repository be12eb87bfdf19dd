import type { Argv } from "yargs";
import { createIdentityFile, localIdentityPath } from "../../keys/age/keyring.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

export function keygenCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "keygen",
    "Create a local age identity (the default key source when no KMS key is configured)",
    (b) =>
      b
        .option("output", { alias: "o", type: "string", describe: "identity file (default: ~/.config/kmseal/age/keys.txt)" })
        .example("kmseal keygen", "prints the new recipient (age1…) to share with teammates"),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { output?: string };
      const created = await createIdentityFile(a.output ?? localIdentityPath(ctx.io.env));
      if (!a.quiet) ctx.io.stderr.write(`kmseal: created ${created.path} (keep it secret; back it up)\n`);
      ctx.io.stdout.write(`${created.recipient}\n`);
    },
  );
}
