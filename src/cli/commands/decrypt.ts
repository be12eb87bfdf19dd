import type { Argv } from "yargs";
import { decryptFile } from "../../ops/decrypt.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";

export interface DecryptArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  "in-place"?: boolean;
  output?: string;
  stdout?: boolean;
  as?: string;
  force?: boolean;
  format?: Format;
}

export function decryptCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "decrypt [files..]",
    "Write the plaintext copy of each encrypted FILE (mode 0600) and print its path",
    (b) =>
      formatOption(b)
        .positional("files", { type: "string", array: true, describe: "encrypted files (- for stdin)" })
        .option("all", { type: "boolean", describe: "every file the .kmsrc rules cover" })
        .option("in-place", { alias: "i", type: "boolean", describe: "replace FILE with its plaintext" })
        .option("output", { alias: "o", type: "string", describe: "write the plaintext here" })
        .option("stdout", { type: "boolean", describe: "print the plaintext instead of writing it" })
        .option("as", { type: "string", describe: "decrypt as if the file were at this project-relative path" })
        .option("force", { type: "boolean", describe: "overwrite a plaintext file that differs" })
        .example("kmseal decrypt config/app.enc.yaml", "writes config/app.yaml")
        .example("kmseal decrypt --stdout .env.prod.enc", "prints the plaintext")
        .example("kmseal decrypt --as config/app.enc.yaml /run/app.enc.yaml --stdout", "a deliberate copy"),
    (argv) => decryptAction(argv as unknown as DecryptArgs, ctx),
  );
}

/** The command itself, shared by the yargs handler and the fast path (fast-args.ts). */
export async function decryptAction(a: DecryptArgs, ctx: Ctx): Promise<void> {
  const services = servicesFor(a, ctx.io);
  await runEach(await filesFor("encrypted", a), a, ctx, async (file) => {
    const r = await decryptFile(file, { inPlace: a["in-place"], output: a.output, stdout: a.stdout, as: a.as, force: a.force, format: a.format, configPath: a.config, stdoutMayBeTarget: true }, services);
    if (r.path === null) ctx.io.stdout.write(r.bytes);
    else ctx.io.stdout.write(`${r.path}\n`);
  }, "decrypted");
}
