/**
 * Help text, built from the command tables: the command's own options first, then the global ones.
 * Examples print as whole lines (what they do as a `#` comment above), so each pastes as written.
 */
import type { CommandSpec, FlagSpec } from "./args.js";
import { GLOBAL_FLAGS, HELP_FLAG, VERSION_FLAG } from "./flags.js";

const ABOUT = "sops-compatible secrets files: values encrypted with AES-256-GCM, the data key wrapped by AWS KMS (bound to the file's path) or age.";

export function commandHelp(spec: CommandSpec, width: number): string {
  const out = [
    `usage: ${spec.usage}`,
    ...(spec.aliases ?? []).map((a) => `  also: ${spec.usage.replace(`kmseal ${spec.name} `, `kmseal ${a} `)}`),
    "",
    ...wrap(spec.summary, width, 0),
  ];
  const positionals = spec.positionals.filter((p) => p.describe !== undefined);
  if (positionals.length > 0)
    out.push(
      "",
      "Arguments:",
      ...table(
        positionals.map((p) => [p.label, p.describe! + choices(p.choices)]),
        width,
      ),
    );
  const own = Object.entries(spec.flags);
  if (own.length > 0)
    out.push(
      "",
      "Options:",
      ...table(
        own.map(([name, f]) => flagRow(name, f)),
        width,
      ),
    );
  out.push("", "Global options:", ...table(globalRows(), width));
  if (spec.examples.length > 0) {
    out.push("", "Examples:");
    for (const [line, what] of spec.examples) {
      if (what !== "") out.push(`  # ${what}`);
      out.push(`  ${line}`);
    }
  }
  return out.join("\n") + "\n";
}

export function overviewHelp(commands: readonly CommandSpec[], width: number): string {
  const out = ["usage: kmseal <command> [options]", "", ...wrap(ABOUT, width, 0), "", "Commands:"];
  out.push(
    ...table(
      commands.map((c) => [
        c.usage.replace(/^kmseal /, "").replace(" [options]", ""),
        c.summary + (c.aliases !== undefined ? ` (also: ${c.aliases.join(", ")})` : ""),
      ]),
      width,
    ),
  );
  out.push("", "Global options:", ...table([...globalRows(), flagRow("version", VERSION_FLAG)], width));
  out.push("", "Run `kmseal <command> --help` for a command's options and examples.");
  return out.join("\n") + "\n";
}

function globalRows(): [string, string][] {
  return [...Object.entries(GLOBAL_FLAGS).map(([name, f]) => flagRow(name, f)), flagRow("help", HELP_FLAG)];
}

function flagRow(name: string, f: FlagSpec): [string, string] {
  const long = f.kind === "boolean" && f.default === true ? `--[no-]${name}` : `--${name}`;
  const label = `${f.short !== undefined ? `-${f.short}, ` : ""}${long}${f.kind === "boolean" ? "" : ` ${f.value ?? "VALUE"}`}`;
  const fallback = f.default !== undefined && f.kind !== "boolean" ? ` (default: ${String(f.default)})` : "";
  return [label, f.describe + choices(f.choices) + fallback];
}

function choices(list: readonly string[] | undefined): string {
  return list === undefined ? "" : ` [${list.join("|")}]`;
}

/** Two columns; a label too long for the first puts its text on the next line. */
function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  const column = Math.min(30, Math.max(...rows.map(([label]) => label.length)) + 4);
  const out: string[] = [];
  for (const [label, text] of rows) {
    const lines = wrap(text, width, column);
    if (label.length + 4 > column) out.push(`  ${label}`, ...lines);
    else out.push(`  ${label.padEnd(column - 2)}${lines[0]!.slice(column)}`, ...lines.slice(1));
  }
  return out;
}

/** Word-wraps text to width, every line indented by indent spaces. */
function wrap(text: string, width: number, indent: number): string[] {
  const room = Math.max(20, width - indent);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l);
}
