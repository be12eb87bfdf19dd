/**
 * The one command-line parser: reads a command's arguments against its declarative table (specs/).
 * Every value stays the string the user typed: nothing is number-parsed, and what follows `--` is
 * passed on verbatim. A string flag takes exactly one value each time, so a repeatable flag never
 * swallows the positionals after it.
 */
import { UsageError } from "../core/errors.js";
import type { Action } from "./command.js";

export interface FlagSpec {
  /** boolean: no value (`--no-NAME` sets it false); string: one value; repeatable: one value each time, collected in order. */
  readonly kind: "boolean" | "string" | "repeatable";
  readonly short?: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** The value's name in help (`--output PATH`). */
  readonly value?: string;
  readonly describe: string;
  /** Repeatable flags: a value `a,b` adds `a` and `b`, as sops takes `--age a,b` (blanks dropped). */
  readonly commaList?: boolean;
}

export interface PositionalSpec {
  /** The key the action reads (`files`, `keypath`). */
  readonly name: string;
  /** How help and errors show it (`FILE`). */
  readonly label: string;
  readonly required?: boolean;
  /** Takes every remaining positional (always last). */
  readonly variadic?: boolean;
  readonly choices?: readonly string[];
  readonly describe?: string;
}

export interface CommandSpec {
  readonly name: string;
  /** Other words that run this command (`run` for `exec`, the word dotenvx and many teams use). */
  readonly aliases?: readonly string[];
  readonly summary: string;
  /** The usage line help and usage errors print, e.g. `kmseal decrypt [options] [FILE...]`. */
  readonly usage: string;
  readonly positionals: readonly PositionalSpec[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** [command line, what it does]: each command line pastes into a shell as written. */
  readonly examples: readonly (readonly [string, string])[];
  /** Whether the words after `--` are the command's own (args["--"]) rather than more positionals. */
  readonly dashDash?: boolean;
  /** Imports the command's module (and its dependencies) only when it runs. */
  load(): Promise<Action>;
}

/** Parsed arguments under their long names (`in-place`, `files`, `--`), the shape the actions read. */
export type Args = Record<string, unknown>;

/** A command line that does not fit the command's table; the CLI prints the command's usage with it. */
export class ArgvError extends UsageError {
  constructor(
    message: string,
    readonly usage: string,
    readonly helpCommand: string,
  ) {
    super(message);
  }
}

export type Parsed = { readonly help: true } | { readonly help: false; readonly args: Args };

export function parseArgs(spec: CommandSpec, tokens: readonly string[], globals: Readonly<Record<string, FlagSpec>>): Parsed {
  const flags: Record<string, FlagSpec> = { ...globals, ...spec.flags };
  const shorts = new Map<string, string>();
  for (const [name, f] of Object.entries(flags)) if (f.short !== undefined) shorts.set(f.short, name);
  const fail = (message: string): never => {
    throw new ArgvError(message, spec.usage, `kmseal ${spec.name} --help`);
  };
  const end = tokens.indexOf("--");
  const before = end < 0 ? tokens : tokens.slice(0, end);
  if (before.includes("--help") || before.includes("-h")) return { help: true };

  const args: Args = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  const set = (name: string, value: string | boolean, shown: string) => {
    const f = flags[name]!;
    if (f.kind === "repeatable") {
      const list = (args[name] as string[] | undefined) ?? [];
      if (f.commaList === true)
        list.push(
          ...(value as string)
            .split(",")
            .map((v) => v.trim())
            .filter((v) => v !== ""),
        );
      else list.push(value as string);
      args[name] = list;
      return;
    }
    if (given.has(name) && f.kind === "string") fail(`${shown} is given twice`);
    given.add(name);
    args[name] = value;
  };
  const takeValue = (name: string, shown: string, inline: string | undefined, i: number): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const next = before[i + 1];
    if (next === undefined) fail(`${shown} needs a value`);
    // The next word is not echoed either: it may be a value that starts with -.
    if (next!.startsWith("-") && next !== "-") fail(`${shown} needs a value; write one that starts with - as --${name}=VALUE`);
    return [next!, i + 1];
  };
  // Only the option's name is echoed: a mistyped value (`set FILE KEY -s3cret`) must not reach stderr.
  const unknown = (shown: string): never => {
    if (!/^--?[A-Za-z]/.test(shown)) return fail("an argument that starts with - goes after --, e.g. kmseal set FILE KEY -- -5");
    const near = shown.startsWith("--")
      ? closest(
          shown,
          Object.keys(flags).map((n) => `--${n}`),
        )
      : undefined;
    return fail(
      `unknown option ${shown}${near !== undefined ? ` (did you mean ${near}?)` : ""}${shown.startsWith("--") ? "" : "; a value that starts with - goes after --"}`,
    );
  };

  for (let i = 0; i < before.length; i++) {
    const token = before[i]!;
    if (token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      const inline = eq < 0 ? undefined : token.slice(eq + 1);
      const f = flags[name];
      if (f === undefined) {
        const positive = name.startsWith("no-") ? flags[name.slice(3)] : undefined;
        if (positive?.kind !== "boolean" || inline !== undefined) unknown(eq < 0 ? token : token.slice(0, eq));
        set(name.slice(3), false, token);
      } else if (f.kind === "boolean") {
        if (inline !== undefined && inline !== "true" && inline !== "false") fail(`--${name} takes no value (or =true, =false), not "${inline}"`);
        set(name, inline !== "false", `--${name}`);
      } else {
        const [value, at] = takeValue(name, `--${name}`, inline, i);
        i = at;
        set(name, value, `--${name}`);
      }
      continue;
    }
    // Short options: -q, -qv (booleans together), -o PATH, -oPATH.
    for (let c = 1; c < token.length; c++) {
      const name = shorts.get(token[c]!);
      if (name === undefined) unknown(`-${token[c]!}`);
      const f = flags[name!]!;
      if (f.kind === "boolean") {
        set(name!, true, `-${token[c]!}`);
        continue;
      }
      const rest = token.slice(c + 1);
      const [value, at] = takeValue(name!, `-${token[c]!}`, rest === "" ? undefined : rest, i);
      i = at;
      set(name!, value, `-${token[c]!}`);
      break;
    }
  }

  for (const [name, f] of Object.entries(flags)) {
    const value = args[name];
    if (value === undefined && f.default !== undefined) args[name] = f.default;
    if (typeof value === "string" && f.choices !== undefined && !f.choices.includes(value))
      fail(`--${name} must be one of ${f.choices.join(", ")}, not "${value}"`);
  }

  const words = end < 0 || spec.dashDash ? positionals : [...positionals, ...tokens.slice(end + 1)];
  // Every required word still missing, named at once: "get needs FILE and KEYPATH".
  const missing = (from: PositionalSpec): never => {
    const labels = spec.positionals
      .slice(spec.positionals.indexOf(from))
      .filter((p) => p.required === true)
      .map((p) => p.label);
    return fail(`${spec.name} needs ${labels.length > 1 ? `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)!}` : labels[0]!}`);
  };
  let at = 0;
  for (const p of spec.positionals) {
    if (p.variadic) {
      const rest = words.slice(at);
      at = words.length;
      if (p.required && rest.length === 0) missing(p);
      for (const w of rest) checkChoice(p, w, fail);
      args[p.name] = rest;
      continue;
    }
    const w = words[at];
    if (w === undefined) {
      if (p.required) missing(p);
      continue;
    }
    checkChoice(p, w, fail);
    args[p.name] = w;
    at++;
  }
  // Not echoed: an unquoted value with spaces (`set FILE KEY my secret`) ends up here.
  if (at < words.length) fail(`too many arguments: ${words.length - at} more than ${spec.usage} takes`);
  if (spec.dashDash) args["--"] = end < 0 ? [] : tokens.slice(end + 1);
  return { help: false, args };
}

function checkChoice(p: PositionalSpec, value: string, fail: (m: string) => never): void {
  if (p.choices !== undefined && !p.choices.includes(value)) fail(`${p.label} must be one of ${p.choices.join(", ")}, not "${value}"`);
}

/** The candidate a typo most likely meant: within a third of its length in edits, else none. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
