import type { CommandSpec } from "../args.js";

export const keygenSpec: CommandSpec = {
  name: "keygen",
  summary: "Create a local age identity (the default key source when no KMS key is configured)",
  usage: "kmseal keygen [options]",
  positionals: [],
  flags: { output: { kind: "string", short: "o", value: "PATH", describe: "identity file (default: ~/.config/kmseal/age/keys.txt)" } },
  examples: [["kmseal keygen", "prints the new recipient (age1…) to share with teammates"]],
  load: async () => (await import("../commands/keygen.js")).keygenAction,
};
