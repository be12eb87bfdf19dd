import type { CommandSpec } from "../args.js";
import { DRIVER_COMMAND_FLAG, FORMAT_FLAG } from "../flags.js";

export const mergeDriverSpec: CommandSpec = {
  name: "merge-driver",
  summary: "Let git merge encrypted files key by key (.gitattributes lines and git config merge.kmseal.driver)",
  usage: "kmseal merge-driver [options] install|uninstall",
  positionals: [{ name: "action", label: "ACTION", required: true, choices: ["install", "uninstall"], describe: "install or uninstall" }],
  flags: { command: DRIVER_COMMAND_FLAG },
  examples: [["kmseal merge-driver install", "two branches that change different secrets of one file now merge cleanly"]],
  load: async () => (await import("../commands/merge.js")).mergeDriverAction,
};

export const mergeSpec: CommandSpec = {
  name: "merge",
  summary:
    "git's merge driver (%O %A %B %P): merge three versions of an encrypted file key by key into OURS, re-encrypted; exit 1 on conflicts, which are named by key path and marked inside the encrypted values",
  usage: "kmseal merge [options] BASE OURS THEIRS [PATH]",
  positionals: [
    { name: "base", label: "BASE", required: true, describe: "the common ancestor (%O)" },
    { name: "ours", label: "OURS", required: true, describe: "our version, replaced by the result (%A)" },
    { name: "theirs", label: "THEIRS", required: true, describe: "their version (%B)" },
    { name: "path", label: "PATH", describe: "the file's path in the work tree (%P), for its format and messages" },
  ],
  flags: { format: FORMAT_FLAG },
  examples: [],
  load: async () => (await import("../commands/merge.js")).mergeAction,
};
