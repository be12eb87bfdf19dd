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
import picomatch from "picomatch";
import { UsageError } from "../core/errors.js";
import { KMSRC, loadKmsrc, parseKmsrc } from "../config/kmsrc.js";
import { kmsrcFromSops } from "./init-from-sops.js";
import { findSopsYaml, loadSopsYaml, SOPS_YAML } from "../config/sops-yaml.js";
import { withBlock } from "../platform/marked-block.js";

export const DEFAULT_PATHS: readonly string[] = ["secrets/**", "**/{.env,.env.*}"];
/** Templates teams commit in plaintext on purpose (`.env.example`): no rule `init` writes covers them. */
export const DEFAULT_EXCLUDE: readonly string[] = ["*.example", "*.sample", "*.template"];
export const GITIGNORE_START = "# >>> kmseal >>>";
export const GITIGNORE_END = "# <<< kmseal <<<";
const ENCRYPTED_NAMES = ["!*.enc", "!*.enc.json", "!*.enc.yaml", "!*.enc.yml"];

export interface InitOptions {
  readonly cwd?: string | undefined;
  readonly paths?: readonly string[] | undefined;
  readonly kms?: readonly string[] | undefined;
  readonly age?: readonly string[] | undefined;
  /** Keep the existing `.kmsrc` and bring the `.gitignore` block up to date with its rules. */
  readonly update?: boolean | undefined;
  /** Write the `.kmsrc` equivalent to this `.sops.yaml` (true: the one found from `cwd` upwards), next to it. */
  readonly fromSops?: boolean | string | undefined;
}

export interface InitResult {
  readonly kmsrc: string;
  /** False for `--update`, which never rewrites `.kmsrc`. */
  readonly kmsrcWritten: boolean;
  readonly gitignore: string;
  readonly gitignoreChanged: boolean;
  /** `--from-sops`: the `.sops.yaml` read, and what it holds that the `.kmsrc` does not carry. */
  readonly fromSops?: { readonly file: string; readonly notCarried: readonly string[]; readonly notes: readonly string[] } | undefined;
}

export function init(opts: InitOptions = {}): InitResult {
  if (opts.fromSops !== undefined && opts.fromSops !== false) return initFromSops(opts, opts.fromSops);
  const dir = resolve(opts.cwd ?? process.cwd());
  const kmsrc = join(dir, KMSRC);
  let rules: readonly IgnoredRule[];
  if (opts.update === true) {
    if (!existsSync(kmsrc)) throw new UsageError(`no ${KMSRC} here to update .gitignore from`, { hint: "run `kmseal init` without --update to create one" });
    if ((opts.paths?.length ?? 0) + (opts.kms?.length ?? 0) + (opts.age?.length ?? 0) > 0)
      throw new UsageError("--update reads the rules from .kmsrc; it takes no --path, --kms or --age", {
        hint: "add the rule to .kmsrc, then run kmseal init --update",
      });
    rules = loadKmsrc(kmsrc).rules;
  } else {
    if (existsSync(kmsrc))
      throw new UsageError(`${KMSRC} already exists; kmseal init will not overwrite it`, {
        file: kmsrc,
        hint: "edit it by hand (every field is described in .kmsrc.example); `kmseal init --update` brings .gitignore up to date with its rules",
      });
    const paths = opts.paths !== undefined && opts.paths.length > 0 ? opts.paths : DEFAULT_PATHS;
    writeFileSync(kmsrc, starterKmsrc(paths, opts.kms ?? [], opts.age ?? []), { flag: "wx" });
    rules = paths.map((path) => ({ path, exclude: DEFAULT_EXCLUDE }));
  }
  const gitignore = join(dir, ".gitignore");
  const before = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : null;
  const after = withIgnoreBlock(before, gitignoreLines(rules));
  if (after !== before) writeFileSync(gitignore, after);
  return { kmsrc, kmsrcWritten: opts.update !== true, gitignore, gitignoreChanged: after !== before };
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
    `    exclude: ${list(DEFAULT_EXCLUDE)}${i === 0 ? "   # committed templates (.env.example) stay plaintext" : ""}`,
    ...keys,
    ...(i === 0
      ? [
          "    # context: { env: prod }          # extra KMS encryption context (`file` is always set)",
          '    # encrypted_regex: "(^|_)(password|token|secret|key)$"   # encrypt only these keys (api_token too); default: every value',
        ]
      : []),
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

export interface IgnoredRule {
  readonly path: string;
  readonly pathRegex?: string | undefined;
  readonly exclude?: readonly string[] | undefined;
}

function initFromSops(opts: InitOptions, from: true | string): InitResult {
  if (opts.update === true || (opts.paths?.length ?? 0) + (opts.kms?.length ?? 0) + (opts.age?.length ?? 0) > 0)
    throw new UsageError("--from-sops takes its rules and keys from .sops.yaml; it takes no --update, --path, --kms or --age", {
      hint: "run `kmseal init --from-sops` alone, then edit the .kmsrc it writes",
    });
  const cwd = resolve(opts.cwd ?? process.cwd());
  const sopsFile = from === true ? findSopsYaml(cwd) : resolve(cwd, from);
  if (sopsFile === null) throw new UsageError(`no ${SOPS_YAML} here or above to read`, { hint: "run it in the repository that has the .sops.yaml" });
  if (!existsSync(sopsFile)) throw new UsageError("no such file", { file: sopsFile });
  const config = loadSopsYaml(sopsFile);
  if (config === null) throw new UsageError(`${sopsFile} has no creation_rules: there is nothing to carry over`, { file: sopsFile });
  // Next to the .sops.yaml: its path_regex rules are relative to that folder, and so are a .kmsrc's.
  const dir = config.root;
  const kmsrc = join(dir, KMSRC);
  if (existsSync(kmsrc))
    throw new UsageError(`${KMSRC} already exists next to ${SOPS_YAML}; kmseal init will not overwrite it (and uses it rather than ${SOPS_YAML})`, {
      file: kmsrc,
      hint: "remove or rename it first if it should be rewritten from .sops.yaml",
    });
  const { text, notCarried, notes } = kmsrcFromSops(config);
  // Checked before writing: what init writes, kmseal must read back as written.
  const check = loadKmsrcText(text, kmsrc);
  writeFileSync(kmsrc, text, { flag: "wx" });
  const gitignore = join(dir, ".gitignore");
  const before = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : null;
  const after = withIgnoreBlock(before, gitignoreLines(check));
  if (after !== before) writeFileSync(gitignore, after);
  return { kmsrc, kmsrcWritten: true, gitignore, gitignoreChanged: after !== before, fromSops: { file: sopsFile, notCarried, notes } };
}

function loadKmsrcText(text: string, file: string): readonly IgnoredRule[] {
  const loaded = parseKmsrc(text, file);
  if (loaded.errors.length > 0) throw new Error(`internal error: init --from-sops wrote a .kmsrc it cannot read: ${loaded.errors.join("; ")}`);
  return loaded.config.rules;
}

const NOT_GITIGNORE = /[@!+?*]\(|\(\?|\|/;

/**
 * `.gitignore` lines for the plaintext files that rule globs cover. A rule's exclusions become
 * re-includes under the rule's literal folder right after its own lines, so they un-ignore only
 * what that rule would have ignored (and a later rule's lines still apply after them).
 */
export function gitignoreLines(rules: readonly (string | IgnoredRule)[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (typeof rule !== "string" && rule.pathRegex !== undefined) {
      out.push(
        `# (a path_regex rule is not expressible in .gitignore, add its plaintext names by hand) ${rule.pathRegex === "" ? "(every file)" : rule.pathRegex}`,
      );
      continue;
    }
    const glob = typeof rule === "string" ? rule : rule.path;
    if (NOT_GITIGNORE.test(glob)) {
      out.push(`# (not expressible in .gitignore, add it by hand) ${glob}`);
      continue;
    }
    for (const pattern of expandBraces(glob)) {
      const line = pattern.startsWith("**/") ? pattern : `/${pattern.replace(/^\.\//, "")}`;
      out.push(line);
      if (line.endsWith("*")) out.push(`!${line}/`);
    }
    const base = picomatch.scan(glob).base.replace(/^\.\/?/, "");
    for (const exclude of typeof rule === "string" ? [] : (rule.exclude ?? [])) {
      if (NOT_GITIGNORE.test(exclude)) {
        out.push(`# (not expressible in .gitignore, add it by hand) !${exclude}`);
        continue;
      }
      for (const pattern of expandBraces(exclude)) {
        if (pattern.includes("/")) out.push(`!/${pattern.replace(/^\.?\//, "")}`);
        else out.push(base === "" ? `!**/${pattern}` : `!/${base}/**/${pattern}`);
      }
    }
  }
  // kmseal's lock files and in-flight temp files (a crash can leave one) never belong in git.
  return [...new Set(out), ...ENCRYPTED_NAMES, "*.kmseal-lock", ".*.kmseal-*.tmp"];
}

/** The text with the kmseal block set to `lines` (appended once, replaced on later runs). */
export function withIgnoreBlock(before: string | null, lines: readonly string[]): string {
  const block =
    [GITIGNORE_START, "# Plaintext secrets stay out of git; their encrypted copies (*.enc, *.enc.yaml, ...) are committed.", ...lines, GITIGNORE_END].join(
      "\n",
    ) + "\n";
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
