import type { Argv } from "yargs";
import { moveFile } from "../../ops/move.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

export function mvCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "mv <src> <dst>",
    "Move an encrypted file and re-bind its `file` context (KMS ReEncrypt: the data key never leaves KMS)",
    (b) =>
      b
        .positional("src", { type: "string" })
        .positional("dst", { type: "string" })
        .option("force", { type: "boolean", describe: "replace DST if it exists" })
        .example("kmseal mv config/app.enc.yaml config/prod/app.enc.yaml", ""),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { src: string; dst: string; force?: boolean };
      const r = await moveFile(a.src, a.dst, { ...(a.config !== undefined ? { configPath: a.config } : {}), force: a.force === true }, servicesFor(a, ctx.io));
      ctx.io.stdout.write(`${r.to}\n`);
      if (!a.quiet) {
        if (r.methods.length > 0) ctx.io.stderr.write(`kmseal: re-bound ${r.methods.length} KMS key(s) with ${[...new Set(r.methods)].join(" and ")}\n`);
        if (r.plaintextLeft !== null) ctx.io.stderr.write(`kmseal: the plaintext ${r.plaintextLeft} was not moved; move or delete it yourself\n`);
      }
    },
  );
}
