/**
 * A git driver kmseal installs (the diff driver's textconv, the merge driver): `git config` keys in
 * the repository's own config under the `kmseal` driver name, and a marked block of `.gitattributes`
 * lines that sends encrypted files to it.
 *
 * The attributes go in the project's `.gitattributes` (the `.kmsrc` folder, else the work tree's
 * top), one line per encrypted file name of cli.md (`*.enc.yaml`, `*.enc.yml`, `*.enc.json`,
 * `*.enc`): new encrypted files are covered without reinstalling, and a file with such a name that
 * is not encrypted is harmless (textconv prints it as it is, the merge driver falls back to git's
 * text merge). Install and uninstall only touch their own block and keys; both are idempotent.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { UsageError } from "../core/errors.js";
import { findKmsrc } from "../config/kmsrc.js";
import { workTreeTop } from "./git.js";

const run = promisify(execFile);

export const ENCRYPTED_PATTERNS = ["*.enc.yaml", "*.enc.yml", "*.enc.json", "*.enc"];

export interface DriverSpec {
  /** `diff` or `merge`: the attribute and the config section. */
  readonly kind: "diff" | "merge";
  /** The config keys under `<kind>.kmseal.`, given the command that runs kmseal. */
  config(kmseal: string): Readonly<Record<string, string>>;
  /** The command that installs the driver, named in the block's comment. */
  readonly installer: string;
}

export type DriverAction = "installed" | "updated" | "unchanged" | "removed" | "absent";

export interface DriverResult {
  readonly attributes: string;
  readonly action: DriverAction;
}

export interface InstallOptions {
  /** How git runs kmseal (default: ./node_modules/.bin/kmseal when the project has one, else kmseal). */
  readonly command?: string | undefined;
}

export async function installDriver(cwd: string, spec: DriverSpec, opts: InstallOptions = {}): Promise<DriverResult> {
  const { top, root } = await placesOf(cwd);
  const attributes = join(root, ".gitattributes");
  const before = existsSync(attributes) ? readFileSync(attributes, "utf8") : null;
  const after = withBlock(before, spec);
  const command = opts.command ?? defaultCommand(top, root);
  const wanted = spec.config(command);
  let configChanged = false;
  let configMissing = false;
  for (const [key, value] of Object.entries(wanted)) {
    const name = `${spec.kind}.kmseal.${key}`;
    const current = await getConfig(top, name);
    if (current === value) continue;
    await run("git", ["config", "--local", name, value], { cwd: top });
    configChanged = true;
    configMissing ||= current === undefined;
  }
  const hadBlock = before !== null && findBlock(before, spec) !== null;
  if (after !== before) writeFileSync(attributes, after);
  // A fresh clone has the committed block but not the local config: that is an install too.
  const action: DriverAction = after === before && !configChanged ? "unchanged" : !hadBlock || configMissing ? "installed" : "updated";
  return { attributes, action };
}

export async function uninstallDriver(cwd: string, spec: DriverSpec): Promise<DriverResult> {
  const { top, root } = await placesOf(cwd);
  const attributes = join(root, ".gitattributes");
  const before = existsSync(attributes) ? readFileSync(attributes, "utf8") : null;
  const block = before === null ? null : findBlock(before, spec);
  let removed = false;
  if (before !== null && block !== null) {
    const rest = before.slice(0, block.start) + before.slice(block.end);
    if (rest.trim() === "") rmSync(attributes);
    else writeFileSync(attributes, rest);
    removed = true;
  }
  for (const key of Object.keys(spec.config("kmseal"))) {
    const name = `${spec.kind}.kmseal.${key}`;
    if ((await getConfig(top, name)) === undefined) continue;
    await run("git", ["config", "--local", "--unset-all", name], { cwd: top });
    removed = true;
  }
  // An empty `[diff "kmseal"]` header is left behind by --unset; a section with other keys stays.
  const left = await run("git", ["config", "--local", "--get-regexp", `^${spec.kind}\\.kmseal\\.`], { cwd: top }).catch(() => null);
  if (left === null) await run("git", ["config", "--local", "--remove-section", `${spec.kind}.kmseal`], { cwd: top }).catch(() => undefined);
  return { attributes, action: removed ? "removed" : "absent" };
}

/** The `.gitattributes` text with the driver's current block in it (appended: later lines win). Pure. */
export function withBlock(before: string | null, spec: DriverSpec): string {
  const block = blockText(spec);
  if (before === null || before === "") return block;
  const found = findBlock(before, spec);
  if (found !== null) return before.slice(0, found.start) + block + before.slice(found.end);
  return before + (before.endsWith("\n") ? "" : "\n") + block;
}

export function blockText(spec: DriverSpec): string {
  const [start, end] = markers(spec);
  const lines = ENCRYPTED_PATTERNS.map((p) => `${p} ${spec.kind}=kmseal`);
  return [start, `# Added by \`${spec.installer} install\`; \`${spec.installer} uninstall\` removes it.`, ...lines, end].join("\n") + "\n";
}

function markers(spec: DriverSpec): [string, string] {
  return [`# >>> kmseal ${spec.kind} >>>`, `# <<< kmseal ${spec.kind} <<<`];
}

function findBlock(text: string, spec: DriverSpec): { start: number; end: number } | null {
  const [startMarker, endMarker] = markers(spec);
  const start = text.indexOf(startMarker);
  if (start < 0) return null;
  const at = text.indexOf(endMarker, start);
  if (at < 0) throw new UsageError(`the kmseal ${spec.kind} block in .gitattributes has a start marker but no "${endMarker}" line`, { hint: "fix or remove the block by hand" });
  let end = at + endMarker.length;
  if (text[end] === "\n") end += 1;
  return { start, end };
}

/** The work tree's top (where git runs drivers from) and the project root inside it. */
async function placesOf(cwd: string): Promise<{ top: string; root: string }> {
  const top = await workTreeTop(cwd);
  if (top === null) throw new UsageError("not inside a git work tree", { hint: "run it in the repository that holds the encrypted files" });
  const kmsrc = findKmsrc(cwd);
  const root = kmsrc !== null && isInside(top, resolve(dirname(kmsrc))) ? resolve(dirname(kmsrc)) : top;
  return { top, root };
}

function isInside(top: string, dir: string): boolean {
  const rel = relative(top, dir);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
}

/**
 * git runs drivers from the top of the work tree, so a project-local kmseal is named by a path from
 * there; it is preferred, as in the pre-commit hook, so the version in package.json is used.
 */
function defaultCommand(top: string, root: string): string {
  for (const dir of [root, top]) {
    const bin = join(dir, "node_modules", ".bin", "kmseal");
    if (existsSync(bin)) return shellQuote("./" + relative(top, bin).split(sep).join("/"));
  }
  return "kmseal";
}

/** A word for the shell git runs drivers with; plain words stay as they are. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./+:@%=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

async function getConfig(top: string, name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["config", "--local", "--get", name], { cwd: top });
    return stdout.replace(/\n$/, "");
  } catch {
    return undefined;
  }
}
