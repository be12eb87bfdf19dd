import type { CommandSpec } from "../args.js";

export const initSpec: CommandSpec = {
  name: "init",
  summary: "Write a commented starter .kmsrc here and add its plaintext files to .gitignore",
  usage: "kmseal init [options]",
  positionals: [],
  flags: {
    path: { kind: "repeatable", value: "GLOB", describe: 'a rule glob (repeatable; default: "secrets/**" and "**/{.env,.env.*}")' },
    kms: { kind: "repeatable", value: "KEY", describe: "KMS key for the rules (repeatable, or a comma list)", commaList: true },
    age: { kind: "repeatable", value: "RECIPIENT", describe: "age recipient for the rules (repeatable, or a comma list)", commaList: true },
    update: { kind: "boolean", describe: "keep .kmsrc and bring the .gitignore lines up to date with its rules (after adding a rule)" },
    "from-sops": { kind: "boolean", describe: "write the .kmsrc equivalent to .sops.yaml (next to it) and list what it cannot carry over" },
  },
  examples: [
    ["kmseal init --kms alias/my-app --path 'config/prod/**'", ""],
    ["kmseal init --update", "after editing the rules in .kmsrc"],
    ["kmseal init --from-sops", "a .kmsrc with the creation_rules of .sops.yaml"],
  ],
  load: async () => (await import("../commands/init.js")).initAction,
};
