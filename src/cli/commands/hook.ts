import type { Argv } from "yargs";
import { installHook, uninstallHook, type HookResult } from "../../git/hook.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

const SAID: Record<HookResult["action"], string> = {
  installed: "installed the kmseal check in",
  updated: "updated the kmseal check in",
  unchanged: "the kmseal check is already in",
  removed: "removed the kmseal check from",
  absent: "no kmseal check to remove in",
};

export function hookCommand(y: Argv, ctx: Ctx): Argv {
  const report = (r: HookResult, a: GlobalArgs) => {
    if (!a.quiet) ctx.io.stderr.write(`kmseal: ${SAID[r.action]} ${r.path}\n`);
  };
  return y.command(
    "hook <action>",
    "Add or remove the `kmseal check --staged` pre-commit hook (.git/hooks/pre-commit or core.hooksPath); an existing hook is kept",
    (b) =>
      b
        .positional("action", { type: "string", choices: ["install", "uninstall"] })
        .example("kmseal hook install", "commits of plaintext secrets now fail"),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall" };
      report(a.action === "install" ? await installHook(process.cwd()) : await uninstallHook(process.cwd()), a);
    },
  );
}
