import { fileStatus } from "../../ops/inspect/filestatus.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { givenFormat, type FormatArgs } from "../sops-habits.js";

interface FilestatusArgs extends GlobalArgs, FormatArgs {
  file: string;
}

/** sops's shape exactly (`{"encrypted":true}` and a newline), so scripts written for sops read it. */
export async function filestatusAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as FilestatusArgs;
  const encrypted = await fileStatus(
    a.file,
    givenFormat(a, (f) => f),
  );
  ctx.io.stdout.write(JSON.stringify({ encrypted }) + "\n");
}
