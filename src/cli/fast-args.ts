/**
 * A small hand-written reader for the command lines that run most often (the pre-commit `check`,
 * `decrypt` and `encrypt`), so they start without loading yargs. It accepts only plain, unambiguous
 * forms of the flags those commands define; anything else (help, version, an unknown or repeated
 * flag, `--`, combined short flags, `--flag=value` on a boolean, an empty value) returns undefined
 * and the full yargs CLI handles the line, with its messages. Its output has the shape the yargs
 * handlers receive, so both paths run the same command actions.
 */
import { FORMATS } from "../stores/store.js";

export type FastName = "check" | "decrypt" | "encrypt";

export interface FastCommand {
  readonly name: FastName;
  readonly args: Record<string, unknown> & { files: string[] };
}

type Kind = "boolean" | "string" | "repeatable";

const GLOBAL: Record<string, Kind> = { profile: "string", region: "string", config: "string", "mfa-code": "string", input: "boolean", quiet: "boolean", verbose: "boolean" };
const GLOBAL_SHORT: Record<string, string> = { q: "quiet", v: "verbose" };

const SPECS: Record<FastName, { flags: Record<string, Kind>; short: Record<string, string> }> = {
  check: { flags: { staged: "boolean", strict: "boolean", json: "boolean" }, short: {} },
  decrypt: {
    flags: { format: "string", all: "boolean", "in-place": "boolean", output: "string", stdout: "boolean", as: "string", force: "boolean" },
    short: { i: "in-place", o: "output" },
  },
  encrypt: {
    flags: { format: "string", kms: "repeatable", age: "repeatable", context: "repeatable", all: "boolean", "in-place": "boolean", output: "string", stdout: "boolean", as: "string" },
    short: { i: "in-place", o: "output" },
  },
};

function isFast(name: string | undefined): name is FastName {
  return name === "check" || name === "decrypt" || name === "encrypt";
}

export function fastCommand(argv: readonly string[]): FastCommand | undefined {
  const name = argv[0];
  if (!isFast(name)) return undefined;
  const spec = SPECS[name];
  const kindOf = (flag: string): Kind | undefined => spec.flags[flag] ?? GLOBAL[flag];
  const args: Record<string, unknown> & { files: string[] } = { files: [], input: true };
  const seen = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "" || token === "--") return undefined;
    if (token === "-" || !token.startsWith("-")) {
      args.files.push(token);
      continue;
    }
    let flag: string;
    let inline: string | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      flag = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
    } else {
      if (token.length !== 2) return undefined;
      const long = spec.short[token[1]!] ?? GLOBAL_SHORT[token[1]!];
      if (long === undefined) return undefined;
      flag = long;
    }
    let kind = kindOf(flag);
    let value: unknown;
    if (kind === undefined && flag.startsWith("no-") && kindOf(flag.slice(3)) === "boolean" && inline === undefined) {
      flag = flag.slice(3);
      kind = "boolean";
      value = false;
    } else if (kind === "boolean") {
      if (inline !== undefined) return undefined;
      // yargs would take a following "true"/"false" as the flag's value.
      if (argv[i + 1] === "true" || argv[i + 1] === "false") return undefined;
      value = true;
    } else if (kind !== undefined) {
      value = inline ?? argv[++i];
      if (typeof value !== "string" || value === "" || (inline === undefined && value.startsWith("-"))) return undefined;
    } else return undefined;
    if (kind === "repeatable") {
      const list = (args[flag] as string[] | undefined) ?? [];
      list.push(value as string);
      args[flag] = list;
      continue;
    }
    if (seen.has(flag)) return undefined;
    seen.add(flag);
    args[flag] = value;
  }
  if (args["format"] !== undefined && !(FORMATS as readonly string[]).includes(args["format"] as string)) return undefined;
  return { name, args };
}
