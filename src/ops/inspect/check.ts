/**
 * The pre-commit guard. Which files: the staged ones (their index blobs, never the working tree),
 * the named ones (what the pre-commit framework passes), or by default every file a commit could
 * contain (tracked, or untracked and not ignored). Of those it looks at the files a `.kmsrc` rule
 * covers and at any other file that carries sops metadata. Offline by construction: nothing here
 * imports key code.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { UsageError } from "../../core/errors.js";
import { displayPath } from "../../core/tree.js";
import { KMSRC, type Rule } from "../../config/kmsrc.js";
import { projectOf } from "../../config/project.js";
import { projectPath, ruleFor, ruleLabel } from "../../config/rules.js";
import { committablePaths, encodePath, readBlobs, stagedEntries, workTreeTop, type StagedEntry } from "../../git/git.js";
import { shellQuote as posixQuote } from "../../platform/shell-quote.js";
import { decryptedName, encryptedName, isEncryptedName } from "../../stores/file-name.js";
import { copyAdvice, unignoredCopies, type UnignoredCopy } from "../plaintext/copy.js";
import { inspect, keyPathArg, type Problem, type ProblemKind } from "./inspection.js";
import { adoptHint } from "../sealing/rule-setting.js";

export interface CheckOptions {
  readonly staged?: boolean | undefined;
  readonly files?: readonly string[] | undefined;
  /** Treat warnings (keys that differ from the rule, a KMS key not bound to the path) as failures. */
  readonly strict?: boolean | undefined;
  readonly cwd?: string | undefined;
  readonly configPath?: string | undefined;
}

export interface Finding {
  /** Relative to the working directory. */
  readonly file: string;
  readonly keyPath?: string;
  readonly kind: FindingKind;
  readonly severity: "error" | "warning";
  readonly message: string;
  /** The command (or steps) that fix it. */
  readonly fix: string;
}

export interface CheckReport {
  readonly ok: boolean;
  /** Files looked at (covered or carrying sops metadata). */
  readonly checked: number;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly Finding[];
}

/**
 * What `--staged` finds about an index entry at a covered path before its content can be looked at:
 * a symbolic link (git commits the link text, not the file it points to) or an entry whose blob
 * cannot be read (unmerged, or missing from the object database). Both fail: never a skip.
 */
export type StagedKind = "staged-symlink" | "staged-unreadable";
export type FindingKind = ProblemKind | StagedKind;

interface Candidate {
  readonly abs: string;
  readonly root: string;
  readonly rule: Rule | undefined;
  /** The project's `.kmsrc` says `require_manifest: true`. */
  readonly requireManifest: boolean;
}

const WARNINGS: ReadonlySet<ProblemKind> = new Set(["keys-differ", "context-missing", "no-manifest"]);

export async function check(opts: CheckOptions = {}): Promise<CheckReport> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const staged = opts.staged === true;
  if (staged && (opts.files?.length ?? 0) > 0) throw new UsageError("--staged checks the index; it takes no file names");
  const { paths, read, entries } = await source(cwd, staged, opts.files ?? [], opts.configPath);
  // A .kmsrc rule says its files hold secrets; a .sops.yaml rule only says which keys seal a file
  // (a catch-all rule is common there), so its plaintext files are not findings.
  const covers = (c: Candidate) => c.rule !== undefined && c.rule.where === undefined;
  const findings: Finding[] = [];
  let checked = 0;
  const all: Candidate[] = [];
  for (const c of paths.map((abs) => candidate(abs, opts.configPath))) {
    const entry = entries?.get(c.abs);
    const kind = entry === undefined ? "file" : entryKind(entry);
    if (kind === "file") all.push(c);
    else if (kind !== "submodule" && c.rule !== undefined) {
      // Covered, but there is no file content to inspect: that fails rather than passes unseen.
      checked += 1;
      findings.push(stagedFinding(kind, entry!, c, cwd));
    }
  }
  const candidates = all.filter((c) => c.rule !== undefined || isEncryptedName(c.abs));
  const contents = await read(candidates.map((c) => c.abs));
  // Covered plaintext files are reported below as plaintext-file; these are the copies no rule covers.
  const copies = all.filter((c) => !covers(c) && !isEncryptedName(c.abs) && existsSync(encryptedName(c.abs)));
  for (const { copy, c } of await plaintextCopies(copies, read)) {
    checked += 1;
    findings.push(copyFinding(copy, c, cwd, staged));
  }
  for (const c of candidates) {
    const bytes = contents.get(c.abs);
    if (bytes === undefined) {
      // Listed by git, yet its staged blob is not in the object database.
      if (entries !== undefined && c.rule !== undefined) {
        checked += 1;
        findings.push(stagedFinding("staged-unreadable", entries.get(c.abs)!, c, cwd));
      }
      continue;
    }
    const result = await inspect(bytes, c.abs, projectPath(c.root, c.abs), c.rule);
    // A file no rule covers is only ours when it carries sops metadata (`x.enc` may be any tool's).
    if (!covers(c) && !result.encrypted) continue;
    checked += 1;
    for (const p of result.problems) {
      // A .sops.yaml project seals KMS keys with sops's context, which never binds the path: by design, not a finding.
      if (p.kind === "context-missing" && c.rule?.where !== undefined) continue;
      findings.push(finding(p, c, cwd, staged, opts.strict === true));
    }
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  return { ok: errors === 0, checked, errors, warnings: findings.length - errors, findings };
}

type Reader = (files: readonly string[]) => Promise<Map<string, Uint8Array>>;

/** The candidates that are plaintext, sit next to a sealed file of their encrypted name, and that git would commit. */
async function plaintextCopies(candidates: readonly Candidate[], read: Reader): Promise<Array<{ copy: UnignoredCopy; c: Candidate }>> {
  if (candidates.length === 0) return [];
  const own = await read(candidates.map((c) => c.abs));
  const sealed = await fromWorkingTree(candidates.map((c) => encryptedName(c.abs)));
  const plain: Candidate[] = [];
  for (const c of candidates) {
    const bytes = own.get(c.abs);
    const counterpart = sealed.get(encryptedName(c.abs));
    if (bytes === undefined || counterpart === undefined) continue;
    const enc = encryptedName(c.abs);
    if (
      (await inspect(counterpart, enc, projectPath(c.root, enc), undefined)).encrypted &&
      !(await inspect(bytes, enc, projectPath(c.root, c.abs), undefined)).encrypted
    )
      plain.push(c);
  }
  const copies = await unignoredCopies(plain.map((c) => c.abs));
  return copies.map((copy) => ({ copy, c: plain.find((c) => c.abs === copy.file)! }));
}

function copyFinding(copy: UnignoredCopy, c: Candidate, cwd: string, staged: boolean): Finding {
  const file = shown(cwd, c.abs);
  const where = staged ? "is staged" : "could be committed: git does not ignore it";
  return {
    file,
    kind: "plaintext-copy",
    severity: "error",
    message: `plaintext copy of ${shown(cwd, encryptedName(c.abs))} ${where}`,
    fix: copyAdvice(staged ? { ...copy, tracked: true } : copy, cwd),
  };
}

interface Source {
  readonly paths: string[];
  readonly read: Reader;
  /** --staged: the index entry behind each path. */
  readonly entries?: ReadonlyMap<string, StagedEntry>;
}

async function source(cwd: string, staged: boolean, files: readonly string[], configPath: string | undefined): Promise<Source> {
  if (staged) {
    const top = await workTreeTop(cwd);
    if (top === null) throw new UsageError("--staged needs a git repository", { hint: "run it inside the work tree, or name the files to check" });
    // Keyed by the absolute path: decodePath gives every name its own string, so no two entries collide.
    const entries = new Map((await stagedEntries(top)).map((e) => [join(top, e.path), e] as const));
    const read: Reader = async (abs) => {
      const wanted = abs.flatMap((a) => {
        const e = entries.get(a);
        return e !== undefined && entryKind(e) === "file" ? [[a, e.oid] as const] : [];
      });
      const blobs = await readBlobs(
        top,
        wanted.map(([, oid]) => oid),
      );
      return new Map(
        wanted.flatMap(([a, oid]) => {
          const b = blobs.get(oid);
          return b === undefined ? [] : [[a, b] as const];
        }),
      );
    };
    return { paths: [...entries.keys()], read, entries };
  }
  if (files.length > 0) {
    const paths = files.map((f) => resolve(cwd, f));
    const missing = paths.find((p) => !existsSync(p));
    if (missing !== undefined) throw new UsageError("no such file", { file: relative(cwd, missing) });
    return { paths, read: fromWorkingTree };
  }
  const top = await workTreeTop(cwd);
  if (top !== null) return { paths: (await committablePaths(top)).map((p) => join(top, p)), read: fromWorkingTree };
  // Outside git nothing is about to be committed: check the encrypted files for hand edits.
  const project = projectOf(join(cwd, KMSRC), configPath);
  if (project.config === null) return { paths: [], read: fromWorkingTree };
  // fast-glob is loaded only here: the pre-commit hook (inside git) never needs it.
  const { coveredFiles } = await import("./files.js");
  return { paths: (await coveredFiles(project.config)).encrypted, read: fromWorkingTree };
}

async function fromWorkingTree(files: readonly string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await Promise.all(
    files.map(async (f) => {
      try {
        out.set(f, await readFile(encodePath(f))); // the very bytes git named (see decodePath)
      } catch {
        // listed by git but gone from the working tree (or not a regular file): nothing to check
      }
    }),
  );
  return out;
}

type EntryKind = "file" | "submodule" | StagedKind;

function entryKind(e: StagedEntry): EntryKind {
  if (e.status === "U" || /^0+$/.test(e.oid)) return "staged-unreadable";
  if (e.mode === "160000") return "submodule"; // a commit of another repository: its own hook checks it
  if (e.mode === "120000") return "staged-symlink";
  return e.mode === "100644" || e.mode === "100755" ? "file" : "staged-unreadable";
}

function stagedFinding(kind: StagedKind, e: StagedEntry, c: Candidate, cwd: string): Finding {
  const file = shown(cwd, c.abs);
  const covered = c.rule !== undefined ? ` (covered by .kmsrc rule "${c.rule.path}")` : "";
  const exclude = c.rule !== undefined ? `add it to the exclude: list of the .kmsrc rule "${c.rule.path}"` : "";
  if (kind === "staged-symlink")
    return {
      file,
      kind,
      severity: "error",
      message: `a symbolic link is staged${covered}: git would commit the link, not a file kmseal can check`,
      fix: `git rm --cached -q ${shellQuote(file)} and stage the encrypted file itself there, or ${exclude}`,
    };
  const why = e.status === "U" ? "unmerged in the index (a conflict not yet resolved)" : `its staged blob ${e.oid} cannot be read from the object database`;
  const fix =
    e.status === "U"
      ? `resolve the conflict, then git add ${shellQuote(file)}`
      : `stage it again: git add ${shellQuote(file)} (or git rm --cached -q ${shellQuote(file)})`;
  return { file, kind, severity: "error", message: `${why}${covered}; kmseal cannot check it`, fix };
}

/**
 * A word for the printed commands: a name with a control character or a byte that is not UTF-8
 * (see decodePath) is written as $'...' (bash, zsh, ksh, POSIX.1-2024 sh), so a pasted command
 * names that very file; any other word is quoted as everywhere else.
 */
function shellQuote(word: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f\udc80-\udcff]/.test(word)) return posixQuote(word);
  let out = "";
  for (const b of encodePath(word)) {
    if (b === 0x27 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `$'${out}'`;
}

function candidate(abs: string, configPath: string | undefined): Candidate {
  const project = projectOf(abs, configPath);
  return {
    abs,
    root: project.root,
    rule: project.config === null ? undefined : ruleFor(project.config, abs),
    requireManifest: project.config?.requireManifest === true,
  };
}

function finding(p: Problem, c: Candidate, cwd: string, staged: boolean, strict: boolean): Finding {
  const file = shown(cwd, c.abs);
  const required = p.kind === "no-manifest" && c.requireManifest;
  const severity = WARNINGS.has(p.kind) && !strict && !required ? "warning" : "error";
  const covered = c.rule !== undefined ? ` (covered by ${c.rule.where !== undefined ? ruleLabel(c.rule) : `.kmsrc rule "${ruleLabel(c.rule)}"`})` : "";
  const base = { file, kind: p.kind, severity, ...(p.keyPath !== undefined ? { keyPath: displayPath(p.keyPath) } : {}) } as const;
  switch (p.kind) {
    case "plaintext-copy": // found by plaintextCopies, not by inspect
      return { ...base, message: p.detail, fix: "add the file to .gitignore" };
    case "plaintext-file": {
      if (isEncryptedName(c.abs))
        return { ...base, message: `${p.detail}${covered}`, fix: `kmseal encrypt -i ${shellQuote(file)}${staged ? ` && git add ${shellQuote(file)}` : ""}` };
      const enc = shellQuote(shown(cwd, encryptedName(c.abs)));
      const where = staged ? "is staged" : "could be committed";
      return {
        ...base,
        message: `plaintext file${covered} ${where}; list it in .gitignore and commit its encrypted copy`,
        fix: `kmseal encrypt ${shellQuote(file)} && git rm --cached --ignore-unmatch -q ${shellQuote(file)} && git add ${enc}`,
      };
    }
    case "unreadable": {
      const plain = decryptedName(c.abs);
      return {
        ...base,
        message: p.detail,
        fix: `git checkout HEAD -- ${shellQuote(file)}${plain !== null ? `, or encrypt it again: kmseal encrypt ${shellQuote(shown(cwd, plain))}` : ""}`,
      };
    }
    case "plaintext-value":
    case "malformed-value": {
      const set = `kmseal set ${shellQuote(file)} ${shellQuote(keyPathArg(p.keyPath ?? []))}`;
      const message = p.kind === "plaintext-value" ? `${p.detail} (hand-edited?)` : `malformed encrypted value: ${p.detail}`;
      return { ...base, message, fix: `remove the value (or git checkout HEAD -- ${shellQuote(file)}), then ${set} (reads the value from stdin)` };
    }
    case "context-mismatch": {
      const bound = shellQuote(shown(cwd, join(c.root, ...(p.boundTo ?? "").split("/"))));
      return {
        ...base,
        message: `${p.detail}: moved or copied without \`kmseal mv\``,
        fix: `git mv ${shellQuote(file)} ${bound} && kmseal mv ${bound} ${shellQuote(file)}`,
      };
    }
    case "context-missing":
      return { ...base, message: p.detail, fix: `kmseal rotate ${shellQuote(file)}` };
    case "keys-differ":
      return { ...base, message: p.detail, fix: `kmseal updatekeys ${shellQuote(file)}` };
    case "merge-conflict":
      return {
        ...base,
        message: `${p.detail}; it must not be committed until it is resolved`,
        fix: `kmseal edit ${shellQuote(file)} (keep one version of each marked value, delete the marker lines, save), then git add ${shellQuote(file)}`,
      };
    case "rule-differs":
      return { ...base, message: `${p.detail} (hand-edited sops block?)`, fix: adoptHint(file) };
    case "no-manifest":
      return {
        ...base,
        message: `${p.detail}${c.requireManifest ? " (the .kmsrc says require_manifest: true)" : ""}`,
        fix: `kmseal rotate ${shellQuote(file)} (any kmseal write that changes it adds one)`,
      };
  }
}

function shown(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel.split(sep).join("/") || ".";
}
