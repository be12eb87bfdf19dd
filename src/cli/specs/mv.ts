import type { CommandSpec } from "../args.js";

export const mvSpec: CommandSpec = {
  name: "mv",
  summary: "Move an encrypted file and re-bind its `file` context (KMS ReEncrypt: the data key never leaves KMS)",
  usage: "kmseal mv [options] SRC DST",
  positionals: [
    { name: "src", label: "SRC", required: true, describe: "the encrypted file" },
    { name: "dst", label: "DST", required: true, describe: "its new path" },
  ],
  flags: { force: { kind: "boolean", describe: "replace DST if it exists" } },
  examples: [["kmseal mv config/app.enc.yaml config/prod/app.enc.yaml", ""]],
  load: async () => (await import("../commands/mv.js")).mvAction,
};
