/**
 * Plaintext copies that git would commit. `decrypt` writes a plaintext file next to its encrypted
 * one and relies on `.gitignore` to keep it out of git; when a rule was added after `init`, or the
 * file is outside every rule, nothing does, so `decrypt`, `status` and `check` say so and name the
 * exact `.gitignore` line that fixes it.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { committableOf, workTreeTop } from "../../git/git.js";
import { projectPath } from "../../config/project-path.js";

export interface UnignoredCopy {
  readonly file: string;
  /** The `.gitignore` at the top of the work tree, which the line belongs in. */
  readonly gitignore: string;
  /** The line that makes git ignore exactly this file. */
  readonly line: string;
  /** Already in the index: ignoring it is not enough, it must leave the index too. */
  readonly tracked: boolean;
}

/** Without a `.git` above, there is no work tree: no git process is started for it. */
function insideGit(dir: string): boolean {
  for (let current = dir; ;) {
    if (existsSync(join(current, ".git"))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/** A `.gitignore` line matching exactly `path` (relative to the work tree top), glob characters escaped. */
export function ignoreLine(path: string): string {
  return "/" + path.replace(/[\\*?[\]!#]/g, "\\$&").replace(/ $/, "\\ ");
}

/** Of the absolute `files`, those inside a git work tree that a commit could take in. */
export async function unignoredCopies(files: readonly string[]): Promise<UnignoredCopy[]> {
  return [...(await gitStates(files)).values()].filter((s): s is UnignoredCopy => s !== "ignored");
}

/** Per file inside a git work tree: ignored, or the copy git would commit. Files outside git are absent. */
export async function gitStates(files: readonly string[]): Promise<Map<string, UnignoredCopy | "ignored">> {
  const byTop = new Map<string, string[]>();
  for (const file of files) {
    if (!insideGit(dirname(file))) continue;
    const top = await workTreeTop(dirname(file));
    if (top === null) continue;
    byTop.set(top, [...(byTop.get(top) ?? []), file]);
  }
  const out = new Map<string, UnignoredCopy | "ignored">();
  for (const [top, group] of byTop) {
    const rel = group.map((f) => projectPath(top, f));
    const committable = await committableOf(
      top,
      rel.filter((r) => !r.startsWith("../")),
    );
    group.forEach((file, i) => {
      const tracked = committable.get(rel[i]!);
      out.set(file, tracked === undefined ? "ignored" : { file, gitignore: join(top, ".gitignore"), line: ignoreLine(rel[i]!), tracked });
    });
  }
  return out;
}

/** What to tell the user about one copy: the line to add, and for a tracked file the index removal. */
export function copyAdvice(copy: UnignoredCopy, cwd: string): string {
  const gitignore = relative(cwd, copy.gitignore).split(sep).join("/") || ".gitignore";
  const untrack = copy.tracked ? ` and take it out of the index: git rm --cached ${JSON.stringify(relative(cwd, copy.file).split(sep).join("/"))}` : "";
  return `add the line ${copy.line} to ${gitignore}${untrack} (kmseal init --update adds the lines for every .kmsrc rule)`;
}

/** The `decrypt` warning for a plaintext file it just wrote, or null when git ignores it. */
export async function plaintextCopyWarning(file: string, cwd: string = process.cwd()): Promise<string | null> {
  const [copy] = await unignoredCopies([resolve(cwd, file)]);
  if (copy === undefined) return null;
  const shown = relative(cwd, copy.file).split(sep).join("/");
  return `warning: ${shown} is plaintext and git does not ignore it${copy.tracked ? " (it is tracked)" : ""}; ${copyAdvice(copy, cwd)}`;
}
