import type { Argv } from "yargs";
import { describeKeyChange } from "../../ops/key-diff.js";
import { rotateFile, updateKeys } from "../../ops/rekey.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";

interface Args extends GlobalArgs {
  files?: string[];
  all?: boolean;
  "dry-run"?: boolean;
}

export function rotateCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "rotate [files..]",
    "New data key, every value re-encrypted, wrapped for the rule's current keys",
    (b) => b.positional("files", { type: "string", array: true })
        .option("all", { type: "boolean", describe: "every file the .kmsrc rules cover" }).example("kmseal rotate config/prod/app.enc.yaml", "after someone with access leaves"),
    async (argv) => {
      const a = argv as unknown as Args;
      const services = servicesFor(a, ctx.io);
      await runEach(await filesFor("encrypted", a), a, ctx, async (file) => {
        const r = await rotateFile(file, { configPath: a.config }, services);
        ctx.io.stdout.write(`${r.path}\n`);
      }, "rotated");
    },
  );
}

export function updatekeysCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "updatekeys [files..]",
    "Same data key, re-wrapped for the keys the .kmsrc rule names now",
    (b) =>
      b
        .positional("files", { type: "string", array: true })
        .option("all", { type: "boolean", describe: "every file the .kmsrc rules cover" })
        .option("dry-run", { type: "boolean", describe: "show the change without writing" })
        .example("kmseal updatekeys --dry-run config/prod/app.enc.yaml", "lists keys that would be added and removed"),
    async (argv) => {
      const a = argv as unknown as Args;
      const services = servicesFor(a, ctx.io);
      await runEach(await filesFor("encrypted", a), a, ctx, async (file) => {
        const r = await updateKeys(file, { configPath: a.config, dryRun: a["dry-run"] }, services);
        ctx.io.stdout.write(`${r.path}: ${describeKeyChange(r, a["dry-run"] === true)}\n`);
      }, "checked");
    },
  );
}
