/**
 * Plaintext copies that git would commit. `decrypt` writes a plaintext file next to its encrypted
 * one and relies on `.gitignore` to keep it out of git; when a rule was added after `init`, or the
 * file is outside every rule, nothing does, so `decrypt`, `status` and `check` say so and name the
 * exact `.gitignore` line that fixes it.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { committableOf, gitEntryAbove, workTreeTop } from "../../git/git.js";
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
  // Files under one `.git` entry share a work tree: one `git rev-parse` for them all, not one per file
  // (`status` of 200 files spent about 1 s starting git). Without a `.git` above, no git process starts.
  // The `.git` search walks up from each folder once, not once per file in it.
  const entries = new Map<string, string | null>();
  const tops = new Map<string, Promise<string | null>>();
  for (const file of files) {
    const folder = dirname(file);
    let entry = entries.get(folder);
    if (entry === undefined) entries.set(folder, (entry = gitEntryAbove(folder)));
    if (entry === null) continue;
    let pending = tops.get(entry);
    if (pending === undefined) tops.set(entry, (pending = workTreeTop(dirname(entry))));
    const top = await pending;
    if (top === null) continue;
    const group = byTop.get(top);
    if (group === undefined) byTop.set(top, [file]);
    else group.push(file);
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
