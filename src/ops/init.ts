/**
 * `init`: a commented starter `.kmsrc`, and `.gitignore` lines that keep the plaintext files its
 * rules cover out of git while letting their encrypted copies in.
 *
 * Rule globs are picomatch syntax and `.gitignore` is not: braces are expanded, every pattern is
 * anchored to the folder, encrypted names are re-included (`!*.enc.yaml`, ...), and so are the
 * folders under a trailing `*`, because git cannot re-include a file whose folder is excluded.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import braces from "braces";
import { UsageError } from "../core/errors.js";
import { KMSRC } from "../config/kmsrc.js";
import { withBlock } from "../platform/marked-block.js";

export const DEFAULT_PATHS: readonly string[] = ["secrets/**", "**/{.env,.env.*}"];
export const GITIGNORE_START = "# >>> kmseal >>>";
export const GITIGNORE_END = "# <<< kmseal <<<";
const ENCRYPTED_NAMES = ["!*.enc", "!*.enc.json", "!*.enc.yaml", "!*.enc.yml"];

export interface InitOptions {
  readonly cwd?: string | undefined;
  readonly paths?: readonly string[] | undefined;
  readonly kms?: readonly string[] | undefined;
  readonly age?: readonly string[] | undefined;
}

export interface InitResult {
  readonly kmsrc: string;
  readonly gitignore: string;
  readonly gitignoreChanged: boolean;
}

export function init(opts: InitOptions = {}): InitResult {
  const dir = resolve(opts.cwd ?? process.cwd());
  const kmsrc = join(dir, KMSRC);
  if (existsSync(kmsrc)) throw new UsageError(`${KMSRC} already exists; kmseal init will not overwrite it`, { file: kmsrc, hint: "edit it by hand (every field is described in .kmsrc.example)" });
  const paths = opts.paths !== undefined && opts.paths.length > 0 ? opts.paths : DEFAULT_PATHS;
  writeFileSync(kmsrc, starterKmsrc(paths, opts.kms ?? [], opts.age ?? []), { flag: "wx" });
  const gitignore = join(dir, ".gitignore");
  const before = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : null;
  const after = withIgnoreBlock(before, gitignoreLines(paths));
  if (after !== before) writeFileSync(gitignore, after);
  return { kmsrc, gitignore, gitignoreChanged: after !== before };
}

const list = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;

export function starterKmsrc(paths: readonly string[], kms: readonly string[], age: readonly string[]): string {
  const keys: string[] = [];
  if (kms.length > 0) keys.push(`    kms: ${list(kms)}`);
  else keys.push("    # kms: [alias/my-app]          # KMS key ARNs, key ids or alias/NAME");
  if (age.length > 0) keys.push(`    age: ${list(age)}`);
  else keys.push("    # age: [age1...]               # age recipients (`kmseal keygen` prints yours)");
  if (kms.length === 0 && age.length === 0) keys.push("    # with no kms/age, kmseal encrypts to your local age identity only: name team keys here");
  const rules = paths.flatMap((p, i) => [
    `  - path: ${JSON.stringify(p)}`,
    ...keys,
    ...(i === 0 ? ["    # context: { env: prod }          # extra KMS encryption context (`file` is always set)", '    # encrypted_regex: "^(password|token|secret|key)"   # encrypt only these keys; default: every value'] : []),
  ]);
  return [
    "# kmseal project file. Every field is described in .kmsrc.example.",
    "# Rules say which files hold secrets and which keys protect them. Globs (picomatch syntax) are",
    "# relative to this folder and the first matching rule wins. A rule covers both names of a file:",
    "# config/app.yaml (plaintext, git-ignored) and config/app.enc.yaml (encrypted, committed).",
    "",
    "# aws:                           # optional; ~/.aws/config supplies what is missing",
    "#   profile: dev",
    "#   region: eu-west-1",
    "#   mfa_serial: arn:aws:iam::123456789012:mfa/alice",
    "",
    "rules:",
    ...rules,
    "",
  ].join("\n");
}

/** `.gitignore` lines for the plaintext files that rule globs cover. */
export function gitignoreLines(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const glob of paths) {
    if (/[@!+?*]\(|\(\?|\|/.test(glob)) {
      out.push(`# (not expressible in .gitignore, add it by hand) ${glob}`);
      continue;
    }
    for (const pattern of expandBraces(glob)) {
      const line = pattern.startsWith("**/") ? pattern : `/${pattern.replace(/^\.\//, "")}`;
      out.push(line);
      if (line.endsWith("*")) out.push(`!${line}/`);
    }
  }
  // kmseal's lock files and in-flight temp files (a crash can leave one) never belong in git.
  return [...new Set(out), ...ENCRYPTED_NAMES, "*.kmseal-lock", ".*.kmseal-*.tmp"];
}

/** The text with the kmseal block set to `lines` (appended once, replaced on later runs). */
export function withIgnoreBlock(before: string | null, lines: readonly string[]): string {
  const block = [GITIGNORE_START, "# Plaintext secrets stay out of git; their encrypted copies (*.enc, *.enc.yaml, ...) are committed.", ...lines, GITIGNORE_END].join("\n") + "\n";
  // A start marker without its end is taken as no block: a fresh one is appended, nothing is cut.
  return withBlock(before, block, { start: GITIGNORE_START, end: GITIGNORE_END });
}

/**
 * `a/{b,c}.yaml` → `a/b.yaml`, `a/c.yaml`, as picomatch reads the rule glob (nested braces and
 * ranges too). Escapes are kept: `\{` means a literal brace in `.gitignore` as well.
 */
export function expandBraces(glob: string): string[] {
  return braces(glob, { expand: true, keepEscaping: true });
}
