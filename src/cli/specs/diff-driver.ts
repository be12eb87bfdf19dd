import type { CommandSpec } from "../args.js";
import { DRIVER_COMMAND_FLAG, FORMAT_FLAG } from "../flags.js";

export const diffDriverSpec: CommandSpec = {
  name: "diff-driver",
  summary: "Make `git diff`, `git log -p` and `git show` print encrypted files decrypted (.gitattributes lines and git config diff.kmseal.textconv)",
  usage: "kmseal diff-driver [options] install|uninstall",
  positionals: [{ name: "action", label: "ACTION", required: true, choices: ["install", "uninstall"], describe: "install or uninstall" }],
  flags: { command: DRIVER_COMMAND_FLAG },
  examples: [
    ["kmseal diff-driver install", "git diff now shows old and new plaintext values"],
    ["git diff --no-textconv", "the encrypted text, once"],
  ],
  load: async () => (await import("../commands/diff-driver.js")).diffDriverAction,
};

export const textconvSpec: CommandSpec = {
  name: "textconv",
  summary: "Print FILE decrypted for git's diff driver; a plaintext file, or one this machine cannot decrypt, is printed as it is. Never prompts, never writes",
  usage: "kmseal textconv [options] FILE",
  positionals: [{ name: "file", label: "FILE", required: true, describe: "the file git hands over (usually a temporary copy)" }],
  flags: { format: FORMAT_FLAG },
  examples: [],
  load: async () => (await import("../commands/diff-driver.js")).textconvAction,
};
