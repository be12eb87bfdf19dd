import type { CommandSpec } from "../args.js";

export const statusSpec: CommandSpec = {
  name: "status",
  summary:
    "Show, per file, whether it is encrypted, its .kmsrc rule, its keys, whether its `file` context is its path, and when it was last sealed. No network",
  usage: "kmseal status [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "files to show (default: every file the rules cover)" }],
  flags: {
    all: { kind: "boolean", describe: "every file the .kmsrc rules cover (plus the files named)" },
    json: { kind: "boolean", describe: "print a JSON array on stdout" },
  },
  examples: [["kmseal status --json | jq '.[] | select(.encrypted | not) | .file'", "covered files that are not encrypted"]],
  load: async () => (await import("../commands/status.js")).statusAction,
};
