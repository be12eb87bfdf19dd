import type { Argv } from "yargs";
import { encryptFile } from "../../ops/encrypt.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, parseContext, servicesFor, type GlobalArgs } from "../options.js";
import { repeatable } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";

export interface EncryptArgs extends GlobalArgs {
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
}

export function encryptCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "encrypt [files..]",
    "Write the encrypted copy of each FILE (app.yaml → app.enc.yaml) and print its path",
    (b) =>
      formatOption(b)
        .positional("files", { type: "string", array: true, describe: "plaintext files (- for stdin)" })
        .option("kms", repeatable("KMS key ARN, key id or alias/NAME (repeatable)"))
        .option("age", repeatable("age recipient (repeatable)"))
        .option("context", repeatable("extra encryption context KEY=VALUE (repeatable)"))
        .option("all", { type: "boolean", describe: "every file the .kmsrc rules cover" })
        .option("in-place", { alias: "i", type: "boolean", describe: "replace FILE with its encrypted form" })
        .option("output", { alias: "o", type: "string", describe: "write the encrypted file here" })
        .option("stdout", { type: "boolean", describe: "print the encrypted file instead of writing it" })
        .option("as", { type: "string", describe: "the encrypted file's path, for its encryption context (stdin)" })
        .example("kmseal encrypt config/app.yaml", "writes config/app.enc.yaml with the .kmsrc rule's keys")
        .example("kmseal encrypt --kms alias/app-prod .env.prod", "writes .env.prod.enc, data key wrapped by KMS")
        .example("cat s.json | kmseal encrypt - --format json --age age1... > s.enc.json", "stdin to stdout"),
    (argv) => encryptAction(argv as unknown as EncryptArgs, ctx),
  );
}

/** The command itself, shared by the yargs handler and the fast path (fast-args.ts). */
export async function encryptAction(a: EncryptArgs, ctx: Ctx): Promise<void> {
  const services = servicesFor(a, ctx.io);
  const context = parseContext(a.context);
  await runEach(await filesFor("plaintext", a), a, ctx, async (file) => {
    const r = await encryptFile(file, { kms: a.kms, age: a.age, context, inPlace: a["in-place"], output: a.output, stdout: a.stdout, as: a.as, format: a.format, configPath: a.config }, services);
    if (r.path === null) ctx.io.stdout.write(r.bytes);
    else ctx.io.stdout.write(`${r.path}\n`);
  }, "encrypted");
}
