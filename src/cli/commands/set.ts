import { UsageError } from "../../core/errors.js";
import { parseKeyPath, showKeyPath } from "../../stores/edit/key-path.js";
import { parseTyped, type ValueType } from "../../stores/edit/typed.js";
import { setValue, unsetValue } from "../../ops/set.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { Io } from "../io.js";
import { shellQuote } from "../../platform/shell-quote.js";
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
  const text = given !== undefined ? given : await readValue(ctx.io, a);
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

/** VALUE from stdin, without the one line break a shell or `echo` adds; typed without echo when stdin is a terminal. */
async function readValue(io: Io, a: SetArgs): Promise<string> {
  if ((io.stdin as { isTTY?: boolean }).isTTY === true) return askValue(io, a);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks on the terminal, like `read -s`: the secret is neither echoed nor in argv or shell history. */
async function askValue(io: Io, a: SetArgs): Promise<string> {
  const { isCi, openTty } = await import("../../platform/terminal.js");
  const line = `kmseal set ${shellQuote(a.file)} ${shellQuote(a.keypath)}`;
  const hint = `pass the value after -- (${line} -- VALUE) or pipe it in (${line} < FILE)`;
  const why = a.input === false ? "--no-input" : isCi(io.env) ? "CI is set" : undefined;
  if (why !== undefined)
    throw new UsageError(`no VALUE given for ${a.keypath} and stdin is a terminal, but ${why}: kmseal does not prompt`, { file: a.file, hint });
  const terminal = (io.terminal ?? openTty)();
  if (terminal === undefined) throw new UsageError(`no VALUE given for ${a.keypath}, and there is no terminal to ask for it on`, { file: a.file, hint });
  const value = await terminal.ask(`value for ${a.keypath}: `, { hidden: true });
  if (value === null) throw new UsageError(`cancelled: no value entered for ${a.keypath}; the file is unchanged`, { file: a.file });
  return value;
}
