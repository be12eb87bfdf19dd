import { encryptFile } from "../../ops/encrypt.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { parseContext, type GlobalArgs } from "../options.js";
import { runEachFile } from "../each-file.js";

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
}

export async function encryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as EncryptArgs;
  const context = parseContext(a.context);
  await runEachFile("plaintext", a, ctx, "encrypted", async (file, services) => {
    const r = await encryptFile(
      file,
      { kms: a.kms, age: a.age, context, inPlace: a["in-place"], output: a.output, stdout: a.stdout, as: a.as, format: a.format, configPath: a.config },
      services,
    );
    if (r.path === null) ctx.io.stdout.write(r.bytes);
    else ctx.io.stdout.write(`${r.path}\n`);
  });
}
