import { encryptFile } from "../../ops/encrypt.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { parseContext, servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";

interface EncryptArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  kms?: string[];
  age?: string[];
  context?: string[];
  "in-place"?: boolean;
  output?: string;
  stdout?: boolean;
  as?: string;
  format?: Format;
  force?: boolean;
}

export async function encryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as EncryptArgs;
  const services = servicesFor(a, ctx.io);
  const context = parseContext(a.context);
  await runEach(
    await filesFor("plaintext", a),
    a,
    ctx,
    async (file) => {
      const r = await encryptFile(
        file,
        {
          kms: a.kms,
          age: a.age,
          context,
          inPlace: a["in-place"],
          output: a.output,
          stdout: a.stdout,
          as: a.as,
          format: a.format,
          configPath: a.config,
          force: a.force,
        },
        services,
      );
      if (r.path === null) ctx.io.stdout.write(r.bytes);
      else ctx.io.stdout.write(`${r.path}\n`);
      if (r.merged && !a.quiet) ctx.io.stderr.write(`kmseal: ${r.path} had changed since ${file} was made; merged both, and ${file} now holds the result\n`);
    },
    "encrypted",
  );
}
