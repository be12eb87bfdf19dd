/**
 * `status`: per file, what can be known without a key: encrypted or not, the covering rule, the
 * keys that can open it, whether its `file` context is its own path, and when it was last sealed.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { KmsealError, UsageError } from "../../core/errors.js";
import { coveredFiles } from "./files.js";
import { KMSRC } from "../../config/kmsrc.js";
import { projectOf } from "../../config/project.js";
import { projectPath, ruleFor, ruleLabel } from "../../config/rules.js";
import { decryptedName, encryptedName, isEncryptedName } from "../../stores/file-name.js";
import { copyAdvice, gitStates } from "../plaintext/copy.js";
import { readOrigin, stampOf } from "../plaintext/origin.js";
import { readIfExists } from "../../platform/atomic-write.js";
import { formatOf } from "../../stores/file-name.js";
import { inspect } from "./inspection.js";

export type ContextState = "ok" | "mismatch" | "unbound" | "none";

export interface FileStatus {
  /** Relative to the working directory. */
  readonly file: string;
  /** Relative to the project root (what the `file` context must hold). */
  readonly path: string;
  readonly encrypted: boolean;
  /** The covering rule's glob, or null (for a `.sops.yaml` rule: where it is and its path_regex). */
  readonly rule: string | null;
  /** The config file the project uses (relative to the working directory) and its kind, or null. */
  readonly config: { readonly file: string; readonly kind: "kmsrc" | "sops" } | null;
  readonly kms: readonly string[];
  readonly age: readonly string[];
  /** ok: every KMS key is bound to this path; mismatch: bound elsewhere; unbound: a KMS key has no `file` context; none: no KMS keys. */
  readonly context: ContextState;
  /** Where the file is bound, when that is not its path. */
  readonly boundTo: string | null;
  readonly lastmodified: string | null;
  /** The other name of the file (encrypted copy or plaintext) when it exists. */
  readonly counterpart: string | null;
  /** What the counterpart is by its name: `x.enc.yaml` is the encrypted name, `x.yaml` the plaintext one. */
  readonly counterpartName: "encrypted" | "plaintext" | null;
  /** For a plaintext file in a git work tree: whether git ignores it (null when that does not apply). */
  readonly gitIgnored: boolean | null;
  /** Offline problems (plaintext values, malformed values, keys that differ from the rule), or why it cannot be read. */
  readonly problems: readonly string[];
  /**
   * For a plaintext copy: its encrypted file changed (or was moved or deleted) since the copy was
   * made. For an encrypted file: its plaintext copy is such a stale copy. null when kmseal has no
   * record of what the copy was made from (or there is no copy).
   */
  readonly stale: boolean | null;
}

export interface StatusOptions {
  readonly files?: readonly string[] | undefined;
  /** Every file the rules cover (the default when no file is named). */
  readonly all?: boolean | undefined;
  readonly cwd?: string | undefined;
  readonly configPath?: string | undefined;
  /** For the records of what plaintext copies were made from (XDG_CACHE_HOME, HOME outside git). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

export async function status(opts: StatusOptions = {}): Promise<FileStatus[]> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const named = (opts.files ?? []).map((f) => resolve(cwd, f));
  let files = named;
  if (opts.all === true || named.length === 0) {
    const project = projectOf(join(cwd, KMSRC), opts.configPath);
    if (project.config === null)
      throw new UsageError("no .kmsrc (or .sops.yaml with creation_rules) found here or above: nothing is covered", {
        hint: "name the files, or create one with `kmseal init`",
      });
    const covered = await coveredFiles(project.config);
    files = [...new Set([...named, ...covered.plaintext, ...covered.encrypted])].sort();
  }
  const statuses = await Promise.all(files.map((f) => statusOf(f, cwd, opts.configPath, opts.env ?? process.env)));
  return withGitState(statuses, files, cwd);
}

/** Plaintext files git would commit get a problem naming the `.gitignore` line that keeps them out. */
async function withGitState(statuses: FileStatus[], files: readonly string[], cwd: string): Promise<FileStatus[]> {
  const states = await gitStates(files.filter((_, i) => !statuses[i]!.encrypted));
  return statuses.map((s, i) => {
    const state = states.get(files[i]!);
    if (state === undefined) return s;
    if (state === "ignored") return { ...s, gitIgnored: true };
    return { ...s, gitIgnored: false, problems: [...s.problems, `plaintext and git does not ignore it: ${copyAdvice(state, cwd)}`] };
  });
}

/** Offline: the record's MAC and stamp against the encrypted file's, no key needed. */
async function staleCopy(plain: string, env: NonNullable<StatusOptions["env"]>): Promise<boolean | null> {
  const origin = await readOrigin(plain, env);
  if (origin === null) return null;
  if (origin.movedTo !== null) return true;
  const bytes = await readIfExists(origin.encrypted).catch(() => null);
  const stamp = bytes === null ? null : await stampOf(bytes, formatOf(origin.encrypted));
  return stamp === null || stamp.mac !== origin.mac || stamp.lastmodified !== origin.lastmodified;
}

async function statusOf(abs: string, cwd: string, configPath: string | undefined, env: NonNullable<StatusOptions["env"]>): Promise<FileStatus> {
  const file = relative(cwd, abs).split(sep).join("/");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(abs);
  } catch (err) {
    throw new UsageError((err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read it", { file });
  }
  let project;
  try {
    project = projectOf(abs, configPath);
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file);
    throw err;
  }
  const path = projectPath(project.root, abs);
  const rule = project.config === null ? undefined : ruleFor(project.config, abs);
  const result = await inspect(bytes, abs, path, rule);
  const meta = result.meta;
  const kms = meta?.keys.flatMap((k) => (k.type === "kms" ? [k] : [])) ?? [];
  const mismatch = result.problems.find((p) => p.kind === "context-mismatch");
  const context: ContextState =
    kms.length === 0 ? "none" : mismatch !== undefined ? "mismatch" : result.problems.some((p) => p.kind === "context-missing") ? "unbound" : "ok";
  const other = isEncryptedName(abs) ? decryptedName(abs) : encryptedName(abs);
  const problems = (rule?.refusal !== undefined ? [rule.refusal] : []).concat(
    result.problems
      .filter((p) => p.kind !== "context-mismatch" && p.kind !== "context-missing" && (p.kind !== "plaintext-file" || isEncryptedName(abs)))
      .map((p) => (p.keyPath !== undefined ? `${p.keyPath.join(".")}: ${p.detail}` : p.detail)),
  );
  // `kmseal edit secrets/new.yaml` used to seal under the plaintext name, which .gitignore hides.
  if (result.encrypted && !isEncryptedName(abs))
    problems.push(
      `encrypted under a plaintext name, which .gitignore may hide; its encrypted name is ${relative(cwd, encryptedName(abs)).split(sep).join("/")}`,
    );
  return {
    file,
    path,
    encrypted: result.encrypted,
    rule: rule !== undefined ? ruleLabel(rule) : null,
    config: project.config === null ? null : { file: relative(cwd, project.config.file).split(sep).join("/"), kind: project.config.format ?? "kmsrc" },
    kms: kms.map((k) => k.arn),
    age: meta?.keys.flatMap((k) => (k.type === "age" ? [k.recipient] : [])) ?? [],
    context,
    boundTo: mismatch?.boundTo ?? null,
    lastmodified: meta?.lastmodified ?? null,
    counterpart: other !== null && existsSync(other) ? relative(cwd, other).split(sep).join("/") : null,
    counterpartName: other !== null && existsSync(other) ? (isEncryptedName(other) ? "encrypted" : "plaintext") : null,
    gitIgnored: null,
    problems,
    stale: result.encrypted ? (other !== null && existsSync(other) ? await staleCopy(other, env) : null) : await staleCopy(abs, env),
  };
}
