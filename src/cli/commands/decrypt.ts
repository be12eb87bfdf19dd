import { decryptFile } from "../../ops/decrypt.js";
import { plaintextCopyWarning } from "../../ops/plaintext/copy.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";

interface DecryptArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  "in-place"?: boolean;
  output?: string;
  stdout?: boolean;
  as?: string;
  force?: boolean;
  format?: Format;
}

export async function decryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as DecryptArgs;
  const services = servicesFor(a, ctx.io);
  await runEach(
    await filesFor("encrypted", a),
    a,
    ctx,
    async (file) => {
      const r = await decryptFile(
        file,
        {
          inPlace: a["in-place"],
          output: a.output,
          stdout: a.stdout,
          as: a.as,
          force: a.force,
          format: a.format,
          configPath: a.config,
          stdoutMayBeTarget: true,
        },
        services,
      );
      if (r.path === null) ctx.io.stdout.write(r.bytes);
      else ctx.io.stdout.write(`${r.path}\n`);
      const warning = r.path !== null && r.written && !a["in-place"] ? await plaintextCopyWarning(r.path) : null;
      if (warning !== null) ctx.io.stderr.write(`kmseal: ${warning}\n`);
    },
    "decrypted",
  );
}
