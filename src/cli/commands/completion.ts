import type { Args, CommandSpec } from "../args.js";
import type { Action, Ctx } from "../command.js";
import { completionScript } from "../completion/script.js";
import type { Shell } from "../completion/shells.js";
import { GLOBAL_FLAGS } from "../flags.js";

export const completionAction =
  (commands: readonly CommandSpec[]): Action =>
  (argv: Args, ctx: Ctx): void => {
    ctx.io.stdout.write(completionScript(argv["shell"] as Shell, commands, GLOBAL_FLAGS));
  };
