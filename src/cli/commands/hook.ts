import { installHook, uninstallHook, type HookResult } from "../../git/hook.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

const SAID: Record<HookResult["action"], string> = {
  installed: "installed the kmseal check in",
  updated: "updated the kmseal check in",
  unchanged: "the kmseal check is already in",
  removed: "removed the kmseal check from",
  absent: "no kmseal check to remove in",
};

export async function hookAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall" };
  const r = a.action === "install" ? await installHook(process.cwd()) : await uninstallHook(process.cwd());
  if (!a.quiet) ctx.io.stderr.write(`kmseal: ${SAID[r.action]} ${r.path}\n`);
}
