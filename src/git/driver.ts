/**
 * A git driver kmseal installs (the diff driver's textconv, the merge driver): `git config` keys in
 * the repository's own config under the `kmseal` driver name, and a marked block of `.gitattributes`
 * lines that sends encrypted files to it.
 *
 * The attributes go in the project's `.gitattributes` (the project root the caller names, the `.kmsrc`
 * folder, when it lies inside the work tree; else the work tree's top), one line per encrypted file name of cli.md (`*.enc.yaml`, `*.enc.yml`, `*.enc.json`,
 * `*.enc`): new encrypted files are covered without reinstalling, and a file with such a name that
 * is not encrypted is harmless (textconv prints it as it is, the merge driver falls back to git's
 * text merge). Install and uninstall only touch their own block and keys; both are idempotent.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { UsageError } from "../core/errors.js";
import { findBlock as findMarked, removeBlock, withBlock as withMarked, type Markers, type Span } from "../platform/marked-block.js";
import { shellQuote } from "../platform/shell-quote.js";
import { dropEmptySection, localConfig, setLocalConfig, unsetLocalConfig, workTreeTop } from "./git.js";

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

/** `projectRoot`: the folder of the project's `.kmsrc`, or null when there is none. */
export async function installDriver(cwd: string, projectRoot: string | null, spec: DriverSpec, opts: InstallOptions = {}): Promise<DriverResult> {
  const { top, root } = await placesOf(cwd, projectRoot);
  const attributes = join(root, ".gitattributes");
  const before = existsSync(attributes) ? readFileSync(attributes, "utf8") : null;
  const after = withBlock(before, spec);
  const command = opts.command ?? defaultCommand(top, root);
  const wanted = spec.config(command);
  let configChanged = false;
  let configMissing = false;
  for (const [key, value] of Object.entries(wanted)) {
    const name = `${spec.kind}.kmseal.${key}`;
    const current = await localConfig(top, name);
    if (current === value) continue;
    await setLocalConfig(top, name, value);
    configChanged = true;
    configMissing ||= current === undefined;
  }
  const hadBlock = before !== null && findBlock(before, spec) !== null;
  if (after !== before) writeFileSync(attributes, after);
  // A fresh clone has the committed block but not the local config: that is an install too.
  const action: DriverAction = after === before && !configChanged ? "unchanged" : !hadBlock || configMissing ? "installed" : "updated";
  return { attributes, action };
}

export async function uninstallDriver(cwd: string, projectRoot: string | null, spec: DriverSpec): Promise<DriverResult> {
  const { top, root } = await placesOf(cwd, projectRoot);
  const attributes = join(root, ".gitattributes");
  const before = existsSync(attributes) ? readFileSync(attributes, "utf8") : null;
  const block = before === null ? null : findBlock(before, spec);
  let removed = false;
  if (before !== null && block !== null) {
    const rest = removeBlock(before, block);
    if (rest.trim() === "") rmSync(attributes);
    else writeFileSync(attributes, rest);
    removed = true;
  }
  for (const key of Object.keys(spec.config("kmseal"))) {
    const name = `${spec.kind}.kmseal.${key}`;
    if ((await localConfig(top, name)) === undefined) continue;
    await unsetLocalConfig(top, name);
    removed = true;
  }
  await dropEmptySection(top, `${spec.kind}.kmseal`);
  return { attributes, action: removed ? "removed" : "absent" };
}

/** The `.gitattributes` text with the driver's current block in it (appended: later lines win). Pure. */
export function withBlock(before: string | null, spec: DriverSpec): string {
  return withMarked(before, blockText(spec), markers(spec), unterminated(spec));
}

export function blockText(spec: DriverSpec): string {
  const { start, end } = markers(spec);
  const lines = ENCRYPTED_PATTERNS.map((p) => `${p} ${spec.kind}=kmseal`);
  return [start, `# Added by \`${spec.installer} install\`; \`${spec.installer} uninstall\` removes it.`, ...lines, end].join("\n") + "\n";
}

function markers(spec: DriverSpec): Markers {
  return { start: `# >>> kmseal ${spec.kind} >>>`, end: `# <<< kmseal ${spec.kind} <<<` };
}

function unterminated(spec: DriverSpec): () => Error {
  const { end } = markers(spec);
  return () =>
    new UsageError(`the kmseal ${spec.kind} block in .gitattributes has a start marker but no "${end}" line`, { hint: "fix or remove the block by hand" });
}

function findBlock(text: string, spec: DriverSpec): Span | null {
  return findMarked(text, markers(spec), unterminated(spec));
}

/** The work tree's top (where git runs drivers from) and the project root inside it. */
async function placesOf(cwd: string, projectRoot: string | null): Promise<{ top: string; root: string }> {
  const top = await workTreeTop(cwd);
  if (top === null) throw new UsageError("not inside a git work tree", { hint: "run it in the repository that holds the encrypted files" });
  const root = projectRoot !== null && isInside(top, resolve(projectRoot)) ? resolve(projectRoot) : top;
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
