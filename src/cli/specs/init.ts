import type { CommandSpec } from "../args.js";

export const initSpec: CommandSpec = {
  name: "init",
  summary: "Write a commented starter .kmsrc here and add its plaintext files to .gitignore",
  usage: "kmseal init [options]",
  positionals: [],
  flags: {
    path: { kind: "repeatable", value: "GLOB", describe: 'a rule glob (repeatable; default: "secrets/**" and "**/{.env,.env.*}")' },
    kms: { kind: "repeatable", value: "KEY", describe: "KMS key for the rules (repeatable)" },
    age: { kind: "repeatable", value: "RECIPIENT", describe: "age recipient for the rules (repeatable)" },
  },
  examples: [["kmseal init --kms alias/my-app --path 'config/prod/**'", ""]],
  load: async () => (await import("../commands/init.js")).initAction,
};
