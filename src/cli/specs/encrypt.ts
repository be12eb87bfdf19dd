import type { CommandSpec } from "../args.js";
import { ALL_FLAG, FORMAT_FLAG, JSON_REPORT_FLAG, INPUT_TYPE_FLAG, OUTPUT_TYPE_FLAG } from "../flags.js";

export const encryptSpec: CommandSpec = {
  name: "encrypt",
  summary: "Write the encrypted copy of each FILE (app.yaml → app.enc.yaml) and print its path",
  usage: "kmseal encrypt [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "plaintext files (- for stdin)" }],
  flags: {
    format: FORMAT_FLAG,
    kms: { kind: "repeatable", value: "KEY", describe: "KMS key ARN, key id or alias/NAME (repeatable, or a comma list)", commaList: true },
    age: { kind: "repeatable", value: "RECIPIENT", describe: "age recipient (repeatable, or a comma list)", commaList: true },
    context: { kind: "repeatable", value: "KEY=VALUE", describe: "extra encryption context KEY=VALUE (repeatable)" },
    all: ALL_FLAG,
    "in-place": { kind: "boolean", short: "i", describe: "replace FILE with its encrypted form" },
    output: { kind: "string", short: "o", value: "PATH", describe: "write the encrypted file here" },
    stdout: { kind: "boolean", describe: "print the encrypted file instead of writing it" },
    as: { kind: "string", value: "PATH", describe: "the encrypted file's path, for its encryption context (stdin)" },
    force: { kind: "boolean", describe: "seal FILE as it is, even over newer values in the encrypted file" },
    json: JSON_REPORT_FLAG,
    "input-type": INPUT_TYPE_FLAG,
    "output-type": OUTPUT_TYPE_FLAG,
  },
  examples: [
    ["kmseal encrypt config/app.yaml", "writes config/app.enc.yaml with the .kmsrc rule's keys"],
    ["kmseal encrypt --kms alias/app-prod .env.prod", "writes .env.prod.enc, data key wrapped by KMS"],
    ["cat s.json | kmseal encrypt - --format json --age age1... > s.enc.json", "stdin to stdout"],
  ],
  load: async () => (await import("../commands/encrypt.js")).encryptAction,
};
