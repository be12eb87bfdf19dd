import type { CommandSpec } from "../args.js";
import { AS_FLAG, FORMAT_FLAG } from "../flags.js";

export const getSpec: CommandSpec = {
  name: "get",
  summary: "Print one decrypted value (strings as they are, mappings and lists as JSON)",
  usage: "kmseal get [options] FILE KEYPATH",
  positionals: [
    { name: "file", label: "FILE", required: true, describe: "encrypted file (- for stdin, with --format)" },
    { name: "keypath", label: "KEYPATH", required: true, describe: "a.b.0.c, or a JSON pointer /a/b/0/c for keys with dots" },
  ],
  flags: { format: FORMAT_FLAG, as: AS_FLAG },
  examples: [
    ["kmseal get config/app.enc.yaml db.password", "prints the password"],
    ["kmseal get .env.prod.enc API_TOKEN", "a dotenv variable, by name"],
    ["kmseal get app.enc.json /hosts/0/name", "a JSON pointer"],
  ],
  load: async () => (await import("../commands/get.js")).getAction,
};
