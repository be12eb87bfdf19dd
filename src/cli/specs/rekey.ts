import type { CommandSpec } from "../args.js";
import { ALL_FLAG, JSON_REPORT_FLAG } from "../flags.js";

export const rotateSpec: CommandSpec = {
  name: "rotate",
  summary: "New data key, every value re-encrypted, wrapped for the rule's current keys",
  usage: "kmseal rotate [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "encrypted files" }],
  flags: { all: ALL_FLAG, json: JSON_REPORT_FLAG },
  examples: [["kmseal rotate config/prod/app.enc.yaml", "after someone with access leaves"]],
  load: async () => (await import("../commands/rekey.js")).rotateAction,
};

export const updatekeysSpec: CommandSpec = {
  name: "updatekeys",
  summary: "Same data key, re-wrapped for the keys the .kmsrc rule names now",
  usage: "kmseal updatekeys [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "encrypted files" }],
  flags: { all: ALL_FLAG, "dry-run": { kind: "boolean", describe: "show the change without writing" }, json: JSON_REPORT_FLAG },
  examples: [["kmseal updatekeys --dry-run config/prod/app.enc.yaml", "lists keys that would be added and removed"]],
  load: async () => (await import("../commands/rekey.js")).updatekeysAction,
};
