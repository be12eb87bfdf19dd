/** The command tables reduced to what a shell completes: words, and what may follow each. */
import type { CommandSpec, FlagSpec, PositionalSpec } from "../args.js";
import { HELP_FLAG, VERSION_FLAG } from "../flags.js";

/** What may be typed for a value: one of a list, a file name, or anything (nothing to offer). */
export type Values = { readonly kind: "choices"; readonly list: readonly string[] } | { readonly kind: "files" } | { readonly kind: "any" };

export interface FlagWord {
  readonly name: string;
  readonly short?: string;
  /** Booleans that default to true also take `--no-NAME`, the form help shows as `--[no-]NAME`. */
  readonly negatable: boolean;
  /** undefined: a boolean, which takes no value. */
  readonly value?: Values;
  readonly repeatable: boolean;
  readonly describe: string;
}

export interface CommandWords {
  readonly names: readonly string[];
  readonly summary: string;
  readonly flags: readonly FlagWord[];
  /** One per positional in order; the last repeats when variadic. */
  readonly positionals: readonly Values[];
  readonly variadic: boolean;
}

export interface Model {
  readonly commands: readonly CommandWords[];
  /** Accepted before and after the command word (help included). */
  readonly globals: readonly FlagWord[];
  /** Only before a command word. */
  readonly top: readonly FlagWord[];
}

/** Value names that stand for a path on disk; every other one (KEYPATH, KEY, REGION...) offers nothing. */
const FILE_VALUES = new Set(["FILE", "PATH", "SRC", "DST", "BASE", "OURS", "THEIRS"]);

function values(choices: readonly string[] | undefined, label: string | undefined): Values {
  if (choices !== undefined) return { kind: "choices", list: choices };
  return label !== undefined && FILE_VALUES.has(label.replace(/\.\.\.$/, "")) ? { kind: "files" } : { kind: "any" };
}

function flagWord(name: string, f: FlagSpec): FlagWord {
  return {
    name,
    ...(f.short !== undefined ? { short: f.short } : {}),
    negatable: f.kind === "boolean" && f.default === true,
    ...(f.kind !== "boolean" ? { value: values(f.choices, f.value) } : {}),
    repeatable: f.kind === "repeatable",
    describe: f.describe,
  };
}

const positional = (p: PositionalSpec): Values => values(p.choices, p.label);

export function completionModel(commands: readonly CommandSpec[], globals: Readonly<Record<string, FlagSpec>>): Model {
  return {
    commands: commands.map((c) => ({
      names: [c.name, ...(c.aliases ?? [])],
      summary: c.summary,
      flags: Object.entries(c.flags).map(([n, f]) => flagWord(n, f)),
      positionals: c.positionals.map(positional),
      variadic: c.positionals.at(-1)?.variadic === true,
    })),
    globals: [...Object.entries(globals).map(([n, f]) => flagWord(n, f)), flagWord("help", HELP_FLAG)],
    top: [flagWord("version", VERSION_FLAG)],
  };
}

/** Every word a flag can be typed as: --NAME, --no-NAME, -S. */
export function flagForms(f: FlagWord): string[] {
  return [`--${f.name}`, ...(f.negatable ? [`--no-${f.name}`] : []), ...(f.short !== undefined ? [`-${f.short}`] : [])];
}
