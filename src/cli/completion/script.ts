/**
 * Shell completion scripts, built from the same tables the parser and help read: a pure function of
 * COMMANDS and GLOBAL_FLAGS, so a new command, flag or choice completes without touching this code.
 * The scripts are static (they never run kmseal while the user types).
 */
import type { CommandSpec, FlagSpec } from "../args.js";
import { bashScript } from "./bash.js";
import { fishScript } from "./fish.js";
import { completionModel } from "./model.js";
import type { Shell } from "./shells.js";
import { zshScript } from "./zsh.js";

export function completionScript(shell: Shell, commands: readonly CommandSpec[], globals: Readonly<Record<string, FlagSpec>>): string {
  const model = completionModel(commands, globals);
  return shell === "bash" ? bashScript(model) : shell === "zsh" ? zshScript(model) : fishScript(model);
}
