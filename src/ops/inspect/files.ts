/**
 * Every file a project's rules cover, for the `--all` commands. The tree is walked only below each
 * rule glob's literal prefix (`config/prod/**` walks `config/prod`), and each file found is kept when
 * `ruleFor` matches it, so discovery and single-file commands agree on what a rule covers, including
 * the `.enc` names.
 *
 * Plaintext files are usually git-ignored, and `encrypt --all` must still find them, so `.gitignore`
 * filters the encrypted files only (through git itself when the project is in a work tree, so nested
 * `.gitignore` files, `info/exclude` and global excludes all count; outside git nothing is filtered).
 */
import picomatch from "picomatch";
import { realpathSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { ignoredPaths, workTreeTop } from "../../git/git.js";
import { isEncryptedName } from "../../stores/file-name.js";
import { KMSRC, type Kmsrc } from "../../config/kmsrc.js";
import { projectPath, ruleFor } from "../../config/rules.js";

export interface Covered {
  /** Absolute paths, sorted. Git-ignored files are included. */
  readonly plaintext: string[];
  /** Absolute paths, sorted. Git-ignored files are left out. */
  readonly encrypted: string[];
}

const SKIPPED = ["**/node_modules/**", "**/.git/**"];

/** The fast-glob patterns that reach every file the rules can match, from the project root. */
export function walkPatterns(config: Kmsrc): string[] {
  const patterns = new Set<string>();
  for (const rule of config.rules) {
    // A regex can match anywhere below the root.
    if (rule.pathRegex !== undefined) return ["**"];
    const scan = picomatch.scan(rule.path);
    if (!scan.isGlob) {
      // A literal path: its folder holds both names (app.yaml and app.enc.yaml).
      const dir = posix.dirname(rule.path);
      patterns.add(dir === "." ? "*" : `${dir}/*`);
    } else patterns.add(scan.base === "" ? "**" : `${scan.base}/**`);
  }
  return patterns.has("**") ? ["**"] : [...patterns].sort();
}

export async function coveredFiles(config: Kmsrc): Promise<Covered> {
  // fast-glob is needed only to walk a project (--all, status and check without names).
  const { default: fg } = await import("fast-glob");
  const entries = await fg(walkPatterns(config), {
    cwd: config.root,
    absolute: true,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    ignore: SKIPPED,
  });
  // A folder with its own .kmsrc is another project: its files follow its own rules.
  const nested = entries
    .filter((e) => e.endsWith(`/${KMSRC}`))
    .map((e) => join(dirname(e), sep))
    .filter((d) => d !== join(config.root, sep));
  const plaintext: string[] = [];
  const encrypted: string[] = [];
  // A .sops.yaml rule picks the keys for a file someone encrypts; it does not say the file is a
  // secret (a catch-all rule would make `encrypt --all` seal the whole repository): only sealed names count.
  const sops = config.format === "sops";
  for (const entry of new Set(entries.map((e) => join(e)))) {
    if (nested.some((d) => entry.startsWith(d)) || ruleFor(config, entry) === undefined) continue;
    if (isEncryptedName(entry)) encrypted.push(entry);
    else if (!sops) plaintext.push(entry);
  }
  return { plaintext: plaintext.sort(), encrypted: (await withoutIgnored(config.root, encrypted)).sort() };
}

async function withoutIgnored(root: string, files: string[]): Promise<string[]> {
  if (files.length === 0) return files;
  const top = await workTreeTop(root);
  if (top === null) return files;
  // git answers with real paths; the root may have been reached through a symbolic link.
  const realRoot = realpathSync(root);
  const rel = files.map((f) => projectPath(top, join(realRoot, relative(root, f))));
  const ignored = await ignoredPaths(
    top,
    rel.filter((r) => !r.startsWith("../")),
  );
  return files.filter((_, i) => !ignored.has(rel[i]!));
}
