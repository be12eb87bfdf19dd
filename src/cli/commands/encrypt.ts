import { encryptFile } from "../../ops/encrypt.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { parseContext, servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";
import { givenFormat, type FormatArgs } from "../sops-habits.js";
import { formatOf } from "../../stores/file-name.js";

interface EncryptArgs extends GlobalArgs, FormatArgs {
  files?: string[];
  all?: boolean;
  kms?: string[];
  age?: string[];
  context?: string[];
  "in-place"?: boolean;
  output?: string;
  stdout?: boolean;
  as?: string;
  force?: boolean;
}

export async function encryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as EncryptArgs;
  const context = parseContext(a.context);
  const services = servicesFor(a, ctx.io);
  await runEach(
    await filesFor("plaintext", a),
    a,
    ctx,
    async (file) => {
      const format = givenFormat(a, (f) => f ?? (file === "-" ? undefined : formatOf(file)));
      const r = await encryptFile(
        file,
        { kms: a.kms, age: a.age, context, inPlace: a["in-place"], output: a.output, stdout: a.stdout, as: a.as, format, configPath: a.config, force: a.force },
        services,
      );
      if (r.path === null) ctx.io.stdout.write(r.bytes);
      else ctx.io.stdout.write(`${r.path}\n`);
      if (r.merged && !a.quiet) ctx.io.stderr.write(`kmseal: ${r.path} had changed since ${file} was made; merged both, and ${file} now holds the result\n`);
    },
    "encrypted",
  );
}
