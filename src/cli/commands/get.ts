import type { Argv } from "yargs";
import { getValue } from "../../ops/get.js";
import { parseKeyPath } from "../../stores/edit/key-path.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";

interface Args extends GlobalArgs {
  file: string;
  keypath: string;
  as?: string;
  format?: Format;
}

export function getCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "get <file> <keypath>",
    "Print one decrypted value (strings as they are, mappings and lists as JSON)",
    (b) =>
      formatOption(b)
        .positional("file", { type: "string", describe: "encrypted file (- for stdin, with --format)" })
        .positional("keypath", { type: "string", describe: "a.b.0.c, or a JSON pointer /a/b/0/c for keys with dots" })
        .option("as", { type: "string", describe: "decrypt as if the file were at this project-relative path" })
        .example("kmseal get config/app.enc.yaml db.password", "prints the password")
        .example("kmseal get .env.prod.enc API_TOKEN", "a dotenv variable, by name")
        .example("kmseal get app.enc.json /hosts/0/name", "a JSON pointer"),
    async (argv) => {
      const a = argv as unknown as Args;
      const value = await getValue(a.file, parseKeyPath(String(a.keypath)), { as: a.as, format: a.format, configPath: a.config }, servicesFor(a, ctx.io));
      ctx.io.stdout.write(value + "\n");
    },
  );
}
