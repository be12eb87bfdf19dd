import type { CommandSpec } from "../args.js";
import { FORMAT_FLAG } from "../flags.js";

/** The choices of `--type`; a test holds them equal to stores/edit/typed.ts, which this light module does not load. */
export const SET_TYPES = ["str", "int", "float", "bool", "json"] as const;

export const setSpec: CommandSpec = {
  name: "set",
  summary: "Set one value (VALUE omitted: read from piped stdin, or typed on the terminal without echo, so it stays out of shell history and ps)",
  usage: "kmseal set [options] FILE KEYPATH [VALUE | -- VALUE]",
  positionals: [
    { name: "file", label: "FILE", required: true, describe: "encrypted file" },
    { name: "keypath", label: "KEYPATH", required: true, describe: "a.b.0.c, or a JSON pointer /a/b/0/c; missing mappings are created" },
    {
      name: "value",
      label: "VALUE",
      describe: "the new value (default: piped stdin without its final line break, or asked on the terminal without echo); after -- when it starts with -",
    },
  ],
  flags: {
    format: FORMAT_FLAG,
    type: { kind: "string", value: "TYPE", choices: SET_TYPES, default: "str", describe: "how VALUE is read" },
    idempotent: { kind: "boolean", describe: "accepted for sops compatibility: an unchanged value never rewrites the file" },
  },
  dashDash: true,
  examples: [
    ["kmseal set config/app.enc.yaml db.password", "asks for the value on the terminal, without echo"],
    ["kmseal set config/app.enc.yaml db.password < password.txt", "the secret never appears on a command line"],
    ["kmseal set config/app.enc.yaml db.port 5432 --type int", "a number"],
    ["kmseal set .env.enc OFFSET -- -5", "a value starting with -"],
    ["kmseal set app.enc.json /features '{\"beta\": true}' --type json", "a JSON value"],
  ],
  load: async () => (await import("../commands/set.js")).setAction,
};

export const unsetSpec: CommandSpec = {
  name: "unset",
  summary: "Remove one value",
  usage: "kmseal unset [options] FILE KEYPATH",
  positionals: [
    { name: "file", label: "FILE", required: true, describe: "encrypted file" },
    { name: "keypath", label: "KEYPATH", required: true, describe: "a.b.0.c, or a JSON pointer /a/b/0/c" },
  ],
  flags: { format: FORMAT_FLAG, idempotent: { kind: "boolean", describe: "a key that is already missing is not an error" } },
  examples: [["kmseal unset config/app.enc.yaml legacy.token", ""]],
  load: async () => (await import("../commands/set.js")).unsetAction,
};
