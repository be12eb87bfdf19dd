import type { CommandSpec } from "../args.js";
import { ALL_FLAG, AS_FLAG, FORMAT_FLAG, INPUT_TYPE_FLAG, JSON_REPORT_FLAG, OUTPUT_TYPE_FLAG } from "../flags.js";

export const decryptSpec: CommandSpec = {
  name: "decrypt",
  summary: "Write the plaintext copy of each encrypted FILE (mode 0600) and print its path",
  usage: "kmseal decrypt [options] [FILE...]",
  positionals: [{ name: "files", label: "FILE...", variadic: true, describe: "encrypted files (- for stdin)" }],
  flags: {
    format: FORMAT_FLAG,
    all: ALL_FLAG,
    "in-place": { kind: "boolean", short: "i", describe: "replace FILE with its plaintext" },
    output: { kind: "string", short: "o", value: "PATH", describe: "write the plaintext here" },
    stdout: { kind: "boolean", describe: "print the plaintext instead of writing it" },
    as: AS_FLAG,
    force: { kind: "boolean", describe: "overwrite a plaintext file that differs" },
    extract: { kind: "string", value: "PATH", describe: `print one value, by sops's path syntax '["a"]["b"][0]' (as kmseal get)` },
    json: JSON_REPORT_FLAG,
    "input-type": INPUT_TYPE_FLAG,
    "output-type": OUTPUT_TYPE_FLAG,
  },
  examples: [
    ["kmseal decrypt config/app.enc.yaml", "writes config/app.yaml"],
    ["kmseal decrypt --stdout .env.prod.enc", "prints the plaintext"],
    ["kmseal decrypt --as config/app.enc.yaml /run/app.enc.yaml --stdout", "a deliberate copy"],
    [`kmseal decrypt --extract '["db"]["password"]' config/app.enc.yaml`, "one value, as sops decrypt --extract prints it"],
  ],
  load: async () => (await import("../commands/decrypt.js")).decryptAction,
};
