import type { CommandSpec } from "../args.js";

export const keygenSpec: CommandSpec = {
  name: "keygen",
  summary: "Create a local age identity (the default key source when no KMS key is configured), or --show the recipient of the existing one",
  usage: "kmseal keygen [options]",
  positionals: [],
  flags: {
    output: { kind: "string", short: "o", value: "PATH", describe: "identity file (default: ~/.config/kmseal/age/keys.txt)" },
    show: { kind: "boolean", describe: "print the recipient (age1…) of the existing identity instead of creating one" },
  },
  examples: [
    ["kmseal keygen", "prints the new recipient (age1…) to share with teammates"],
    ["kmseal keygen --show", "prints the recipient of the identity you already have"],
  ],
  load: async () => (await import("../commands/keygen.js")).keygenAction,
};
