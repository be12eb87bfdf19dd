import type { CommandSpec } from "../args.js";

export const hookSpec: CommandSpec = {
  name: "hook",
  summary: "Add or remove the `kmseal check --staged` pre-commit hook (.git/hooks/pre-commit or core.hooksPath); an existing hook is kept",
  usage: "kmseal hook [options] install|uninstall",
  positionals: [{ name: "action", label: "ACTION", required: true, choices: ["install", "uninstall"], describe: "install or uninstall" }],
  flags: {},
  examples: [["kmseal hook install", "commits of plaintext secrets now fail"]],
  load: async () => (await import("../commands/hook.js")).hookAction,
};
