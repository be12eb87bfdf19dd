import { decryptFile } from "../../ops/decrypt.js";
import { plaintextCopyWarning } from "../../ops/plaintext/copy.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { runEachFile } from "../each-file.js";

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
  await runEachFile("encrypted", a, ctx, "decrypted", async (file, services) => {
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
  });
}
