import { describeKeyChange } from "../../ops/keys/diff.js";
import { rotateFile, updateKeys } from "../../ops/rekey.js";
import { parseSealed } from "../../ops/sealing/sealed-file.js";
import { formatOf } from "../../stores/file-name.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { runEachFile } from "../each-file.js";
import { JsonReport, keyFields } from "../json-report.js";

interface RekeyArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  "dry-run"?: boolean;
  json?: boolean;
}

export async function rotateAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as RekeyArgs;
  await runEachFile(
    "encrypted",
    a,
    ctx,
    "rotated",
    async (file, services) => {
      const r = await rotateFile(file, { configPath: a.config }, services);
      if (a.json === true) return { output: r.path, written: true, ...keyFields((await parseSealed(r.bytes, formatOf(file))).meta.keys) };
      ctx.io.stdout.write(`${r.path}\n`);
      return {};
    },
    a.json === true ? new JsonReport("rotate") : undefined,
  );
}

export async function updatekeysAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as RekeyArgs;
  const dryRun = a["dry-run"] === true;
  await runEachFile(
    "encrypted",
    a,
    ctx,
    "checked",
    async (file, services) => {
      const r = await updateKeys(file, { configPath: a.config, dryRun }, services);
      if (a.json === true) return { output: r.path, written: r.written, added: r.added, removed: r.removed, ...keyFields(r.keys) };
      ctx.io.stdout.write(`${r.path}: ${describeKeyChange(r, dryRun)}\n`);
      return {};
    },
    a.json === true ? new JsonReport("updatekeys", { dryRun }) : undefined,
  );
}
