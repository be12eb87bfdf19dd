import type { CommandSpec } from "../args.js";
import { SHELLS } from "../completion/shells.js";

/** `commands`: the whole catalog, handed over so the command module need not import catalog.ts (which lists this spec). */
export const completionSpec = (commands: () => readonly CommandSpec[]): CommandSpec => ({
  name: "completion",
  summary: "Print a shell completion script for bash, zsh or fish (static: it never runs kmseal while you type)",
  usage: "kmseal completion [options] bash|zsh|fish",
  positionals: [{ name: "shell", label: "SHELL", required: true, choices: SHELLS, describe: "the shell to complete in" }],
  flags: {},
  examples: [
    ["source <(kmseal completion bash)", "bash, this shell (put it in ~/.bashrc to keep it)"],
    ['kmseal completion zsh > "${fpath[1]}/_kmseal"', "zsh, for new shells (compinit loads it)"],
    ["kmseal completion fish > ~/.config/fish/completions/kmseal.fish", "fish, for new shells"],
  ],
  load: async () => (await import("../commands/completion.js")).completionAction(commands()),
});
