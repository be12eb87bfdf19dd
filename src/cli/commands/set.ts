import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import { parseKeyPath, showKeyPath } from "../../stores/edit/key-path.js";
import { parseTyped, VALUE_TYPES, type ValueType } from "../../stores/edit/typed.js";
import { setValue, unsetValue } from "../../ops/set.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import type { Io } from "../io.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";

interface Args extends GlobalArgs {
  file: string;
  keypath: string;
  value?: string;
  type: ValueType;
  idempotent?: boolean;
  format?: Format;
  "--"?: string[];
}

export function setCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "set <file> <keypath> [value]",
    "Set one value (read from stdin when VALUE is omitted, so it stays out of shell history and ps)",
    (b) =>
      formatOption(b)
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("keypath", { type: "string", describe: "a.b.0.c, or a JSON pointer /a/b/0/c; missing mappings are created" })
        .positional("value", { type: "string", describe: "the new value (default: stdin, without its final line break)" })
        .option("type", { type: "string", choices: VALUE_TYPES as ValueType[], default: "str" as ValueType, describe: "how VALUE is read" })
        .option("idempotent", { type: "boolean", describe: "accepted for sops compatibility: an unchanged value never rewrites the file" })
        .parserConfiguration({ "populate--": true })
        .example("kmseal set config/app.enc.yaml db.password < password.txt", "the secret never appears on a command line")
        .example("kmseal set config/app.enc.yaml db.port 5432 --type int", "a number")
        .example("kmseal set .env.enc OFFSET -- -5", "a value starting with -")
        .example("kmseal set app.enc.json /features '{\"beta\": true}' --type json", "a JSON value"),
    async (argv) => {
      const a = argv as unknown as Args;
      const path = parseKeyPath(String(a.keypath));
      // A value that starts with `-` comes after `--`: kmseal set FILE KEY -- -x
      const rest = a["--"] ?? [];
      if (rest.length > (a.value === undefined ? 1 : 0)) throw new UsageError("set takes one VALUE", { hint: "quote a value with spaces; put a value starting with - after --" });
      const given = a.value ?? rest[0];
      const text = given !== undefined ? String(given) : await readValue(ctx.io);
      const r = await setValue(a.file, path, parseTyped(a.type, text), { format: a.format, configPath: a.config, idempotent: a.idempotent }, servicesFor(a, ctx.io));
      if (!r.written && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${showKeyPath(path)} already has this value; the file is unchanged\n`);
    },
  );
}

export function unsetCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "unset <file> <keypath>",
    "Remove one value",
    (b) =>
      formatOption(b)
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("keypath", { type: "string", describe: "a.b.0.c, or a JSON pointer /a/b/0/c" })
        .option("idempotent", { type: "boolean", describe: "a key that is already missing is not an error" })
        .example("kmseal unset config/app.enc.yaml legacy.token", ""),
    async (argv) => {
      const a = argv as unknown as Args;
      const path = parseKeyPath(String(a.keypath));
      const r = await unsetValue(a.file, path, { format: a.format, configPath: a.config, idempotent: a.idempotent }, servicesFor(a, ctx.io));
      if (!r.found && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${showKeyPath(path)} is not set; nothing to do\n`);
    },
  );
}

/** VALUE from stdin, without the one line break a shell or `echo` adds. */
async function readValue(io: Io): Promise<string> {
  if ((io.stdin as { isTTY?: boolean }).isTTY === true) io.stderr.write("kmseal: reading the value from stdin (end with Ctrl-D)\n");
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
