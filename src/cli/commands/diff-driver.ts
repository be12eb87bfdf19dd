import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import { KmsealError } from "../../core/errors.js";
import { installDiffDriver, uninstallDiffDriver } from "../../git/diff-driver.js";
import type { DriverResult } from "../../git/driver.js";
import { textconv } from "../../ops/textconv.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import type { Io } from "../io.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";

const SAID: Record<DriverResult["action"], string> = {
  installed: "installed",
  updated: "updated",
  unchanged: "already installed:",
  removed: "removed",
  absent: "nothing to remove:",
};

/** The one-line report of `diff-driver` / `merge-driver` install and uninstall. */
export function reportDriver(io: Io, quiet: boolean | undefined, what: string, r: DriverResult): void {
  if (!quiet) io.stderr.write(`kmseal: ${SAID[r.action]} the ${what} (git config and ${r.attributes})\n`);
}

export function diffDriverCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "diff-driver <action>",
    "Make `git diff`, `git log -p` and `git show` print encrypted files decrypted (.gitattributes lines and git config diff.kmseal.textconv)",
    (b) =>
      b
        .positional("action", { type: "string", choices: ["install", "uninstall"] })
        .option("command", { type: "string", describe: "how git runs kmseal (default: ./node_modules/.bin/kmseal when present, else kmseal)" })
        .example("kmseal diff-driver install", "git diff now shows old and new plaintext values")
        .example("git diff --no-textconv", "the encrypted text, once"),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall"; command?: string };
      const r = a.action === "install" ? await installDiffDriver(process.cwd(), { command: a.command }) : await uninstallDiffDriver(process.cwd());
      reportDriver(ctx.io, a.quiet, "kmseal diff driver", r);
    },
  );
}

export function textconvCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "textconv <file>",
    "Print FILE decrypted for git's diff driver; a plaintext file, or one this machine cannot decrypt, is printed as it is. Never prompts, never writes",
    (b) => formatOption(b).positional("file", { type: "string", describe: "the file git hands over (usually a temporary copy)" }),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { file: string; format?: Format };
      let input: Buffer;
      try {
        input = await readFile(a.file);
      } catch (err) {
        throw new KmsealError("usage", `cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`, { file: a.file });
      }
      // Inside `git diff` a prompt would hang behind the pager: a cached AWS session or nothing.
      const r = await textconv(input, a.file, servicesFor({ ...a, input: false, driver: true }, ctx.io), a.format);
      if (r.note !== undefined && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${r.note}\n`);
      ctx.io.stdout.write(r.bytes);
    },
  );
}
