import { describeKeyChange } from "../../ops/keys/diff.js";
import { rotateFile, updateKeys } from "../../ops/rekey.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { runEachFile } from "../each-file.js";

interface RekeyArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  "dry-run"?: boolean;
}

export async function rotateAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as RekeyArgs;
  await runEachFile("encrypted", a, ctx, "rotated", async (file, services) => {
    const r = await rotateFile(file, { configPath: a.config }, services);
    ctx.io.stdout.write(`${r.path}\n`);
  });
}

export async function updatekeysAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as RekeyArgs;
  await runEachFile("encrypted", a, ctx, "checked", async (file, services) => {
    const r = await updateKeys(file, { configPath: a.config, dryRun: a["dry-run"] }, services);
    ctx.io.stdout.write(`${r.path}: ${describeKeyChange(r, a["dry-run"] === true)}\n`);
  });
}
