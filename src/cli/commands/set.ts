import { UsageError } from "../../core/errors.js";
import { parseKeyPath, showKeyPath } from "../../stores/edit/key-path.js";
import { parseTyped, type ValueType } from "../../stores/edit/typed.js";
import { setValue, unsetValue } from "../../ops/set.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { Io } from "../io.js";
import { servicesFor, type GlobalArgs } from "../options.js";

interface SetArgs extends GlobalArgs {
  file: string;
  keypath: string;
  value?: string;
  type: ValueType;
  idempotent?: boolean;
  format?: Format;
  /** The words after `--`, as typed: where a value starting with `-` goes (kmseal set FILE KEY -- -x). */
  "--": string[];
}

export async function setAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as SetArgs;
  const path = parseKeyPath(a.keypath);
  const rest = a["--"];
  if (rest.length > (a.value === undefined ? 1 : 0))
    throw new UsageError("set takes one VALUE", { hint: "quote a value with spaces; put a value starting with - after --" });
  const given = a.value ?? rest[0];
  const text = given !== undefined ? given : await readValue(ctx.io);
  const r = await setValue(
    a.file,
    path,
    parseTyped(a.type, text),
    { format: a.format, configPath: a.config, idempotent: a.idempotent },
    servicesFor(a, ctx.io),
  );
  if (!r.written && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${showKeyPath(path)} already has this value; the file is unchanged\n`);
}

export async function unsetAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as SetArgs;
  const path = parseKeyPath(a.keypath);
  const r = await unsetValue(a.file, path, { format: a.format, configPath: a.config, idempotent: a.idempotent }, servicesFor(a, ctx.io));
  if (!r.found && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${showKeyPath(path)} is not set; nothing to do\n`);
}

/** VALUE from stdin, without the one line break a shell or `echo` adds. */
async function readValue(io: Io): Promise<string> {
  if ((io.stdin as { isTTY?: boolean }).isTTY === true) io.stderr.write("kmseal: reading the value from stdin (end with Ctrl-D)\n");
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
