import { getValue } from "../../ops/get.js";
import { parseKeyPath } from "../../stores/edit/key-path.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

interface GetArgs extends GlobalArgs {
  file: string;
  keypath: string;
  as?: string;
  format?: Format;
}

export async function getAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GetArgs;
  const value = await getValue(a.file, parseKeyPath(a.keypath), { as: a.as, format: a.format, configPath: a.config }, servicesFor(a, ctx.io));
  ctx.io.stdout.write(value + "\n");
}
