import { encryptFile } from "../../ops/encrypt.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { parseContext, servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";
import { givenFormat, type FormatArgs } from "../sops-habits.js";
import { formatOf } from "../../stores/file-name.js";
import { parseSealed } from "../../ops/sealing/sealed-file.js";
import { JsonReport, keyFields, refuseContentOnStdout } from "../json-report.js";

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
  json?: boolean;
}

export async function encryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as EncryptArgs;
  const context = parseContext(a.context);
  if (a.json === true) refuseContentOnStdout(a);
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
      if (r.merged && !a.quiet) ctx.io.stderr.write(`kmseal: ${r.path} had changed since ${file} was made; merged both, and ${file} now holds the result\n`);
      if (a.json === true) return { output: r.path, written: r.written, merged: r.merged, ...keyFields((await parseSealed(r.bytes, r.format)).meta.keys) };
      if (r.path === null) ctx.io.stdout.write(r.bytes);
      else ctx.io.stdout.write(`${r.path}\n`);
      return {};
    },
    "encrypted",
    a.json === true ? new JsonReport("encrypt") : undefined,
  );
}
