import type { CommandSpec } from "../args.js";

export const checkSpec: CommandSpec = {
  name: "check",
  summary:
    "Fail (exit 6) when a file a .kmsrc rule covers would be committed in plaintext, or an encrypted file was hand-edited or moved. No network, no keys needed",
  usage: "kmseal check [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "files to check (default: what a commit could contain)" }],
  flags: {
    staged: { kind: "boolean", describe: "check the staged blobs (the index), not the working tree" },
    strict: { kind: "boolean", describe: "also fail on warnings (keys that differ from the rule, KMS keys not bound to the path)" },
    json: { kind: "boolean", describe: "print a machine-readable report on stdout" },
  },
  examples: [
    ["kmseal check --staged", "what the pre-commit hook runs"],
    ["kmseal check config/app.yaml config/app.enc.yaml", "what the pre-commit framework runs"],
  ],
  load: async () => (await import("../commands/check.js")).checkAction,
};
