/**
 * Every git call kmseal makes goes through this file: git runs without a shell, with explicit
 * arguments and an explicit work tree, and its failures read the same everywhere. Paths that git prints
 * (and that these functions take) are relative to the work tree's top, with `/` separators.
 * The caller's environment is passed through on purpose: inside a hook, git sets GIT_INDEX_FILE
 * (e.g. for `git commit -a`) and the staged view must come from that index.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../core/errors.js";

interface RunOptions {
  readonly input?: string;
  /** Exit statuses that are answers rather than failures (check-ignore exits 1 for "none"). */
  readonly okCodes?: readonly number[];
  /** git's own messages go to the user (merge-file's), instead of the first line into the error. */
  readonly showStderr?: boolean;
}

function runGit(cwd: string, args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: Buffer; code: number }> {
  // child_process (with net and dgram behind it) loads on the first git call, not with every command
  // that may call git: a decrypt to stdout never does.
  const { spawn } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  return new Promise((done, fail) => {
    const child = spawn("git", [...args], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (opts.showStderr ? process.stderr.write(c) : err.push(c)));
    child.on("error", (e: NodeJS.ErrnoException) => {
      fail(new UsageError(e.code === "ENOENT" ? "git is not installed (or not on PATH)" : `cannot run git: ${e.message}`));
    });
    child.on("close", (code) => {
      const status = code ?? 1;
      if (status === 0 || (opts.okCodes ?? []).includes(status)) done({ stdout: Buffer.concat(out), code: status });
      else {
        const why = Buffer.concat(err).toString("utf8").trim().split("\n")[0] ?? "";
        fail(new UsageError(`git ${args[0] ?? ""} failed${why ? `: ${why}` : ""}`));
      }
    });
    child.stdin.on("error", () => undefined); // git may exit before reading all input; its status says why
    child.stdin.end(opts.input ?? "");
  });
}

function splitZ(buf: Buffer): string[] {
  return buf
    .toString("utf8")
    .split("\0")
    .filter((s) => s !== "");
}

/** The `.git` entry (folder, or a worktree's file) nearest above `dir`; without one no git process need start. */
export function gitEntryAbove(dir: string): string | null {
  for (let current = dir; ;) {
    if (existsSync(join(current, ".git"))) return join(current, ".git");
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The top of the work tree containing `cwd`, or null outside a repository (or without git). */
export async function workTreeTop(cwd: string): Promise<string | null> {
  try {
    const { stdout } = await runGit(cwd, ["rev-parse", "--show-toplevel"]);
    const top = stdout.toString("utf8").trim();
    return top === "" ? null : resolve(top);
  } catch {
    return null;
  }
}

/**
 * One entry of the index that differs from HEAD, as `git diff --cached --raw -z` prints it. The
 * object id, not the name, is what a blob is read by, so no name (`0:prod.env`, a newline, bytes
 * that are not UTF-8, a leading dash) can make git read another file or none.
 */
export interface StagedEntry {
  /** The name as git stores it. */
  readonly raw: Buffer;
  /** `raw` as a string: see decodePath. */
  readonly path: string;
  /** "100644", "100755", "120000" (symbolic link), "160000" (submodule), "000000" (unmerged). */
  readonly mode: string;
  readonly oid: string;
  /** A, M, T (type change), U (unmerged), X: deletions are left out. */
  readonly status: string;
}

/**
 * Every staged path that is not a deletion. Renames and copies are not detected (`--no-renames`),
 * so they arrive as additions; the options that user config could change are pinned.
 */
export async function stagedEntries(top: string): Promise<StagedEntry[]> {
  const args = [
    "diff",
    "--cached",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-renames",
    "--no-relative",
    "--no-ext-diff",
    "--no-color",
    "--ignore-submodules=none",
    "--diff-filter=d",
  ];
  const { stdout } = await runGit(top, args);
  const out: StagedEntry[] = [];
  let pos = 0;
  while (pos < stdout.length) {
    const headEnd = stdout.indexOf(0, pos);
    const nameEnd = headEnd < 0 ? -1 : stdout.indexOf(0, headEnd + 1);
    if (nameEnd < 0) throw new UsageError("git diff --cached printed a line kmseal cannot read", { hint: "run `git diff --cached --raw` to see it" });
    const head = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) ([A-Z])\d*$/.exec(stdout.subarray(pos, headEnd).toString("latin1"));
    if (head === null) throw new UsageError("git diff --cached printed a line kmseal cannot read", { hint: "run `git diff --cached --raw` to see it" });
    const raw = Buffer.from(stdout.subarray(headEnd + 1, nameEnd));
    out.push({ raw, path: decodePath(raw), mode: head[1]!, oid: head[2]!, status: head[3]! });
    pos = nameEnd + 1;
  }
  return out;
}

/**
 * The repository's common git folder (shared by its worktrees) for a folder inside it, or null
 * outside a repository (or without git).
 */
export async function gitCommonDir(cwd: string): Promise<string | null> {
  try {
    const { stdout } = await runGit(cwd, ["rev-parse", "--git-common-dir"]);
    const dir = stdout.toString("utf8").replace(/\n$/, "");
    return dir === "" ? null : resolve(cwd, dir);
  } catch {
    return null;
  }
}

/** Files added, copied, modified, renamed or changed in type in the index (deletions need no check). */
export async function stagedPaths(top: string): Promise<string[]> {
  return (await stagedEntries(top)).map((e) => e.path);
}

/**
 * A file name's bytes as a string that stands for exactly those bytes: UTF-8 is decoded, and each
 * byte that is not part of valid UTF-8 becomes the lone surrogate U+DC80..U+DCFF (Python's
 * "surrogateescape"), which valid UTF-8 never decodes to. So two names never share a string, `/`
 * stays the only separator, and a glob counts such a byte as one character.
 */
export function decodePath(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let cp = len === 1 ? b : len === 2 ? b & 0x1f : len === 3 ? b & 0x0f : b & 0x07;
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
    if (ok && ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i += 1;
    }
  }
  return out;
}

/** The name a decodePath string stands for, back as bytes. */
export function encodePath(path: string): Buffer {
  const parts: Buffer[] = [];
  let run = "";
  for (const ch of path) {
    const u = ch.charCodeAt(0);
    if (ch.length === 1 && u >= 0xdc80 && u <= 0xdcff) {
      parts.push(Buffer.from(run, "utf8"), Buffer.of(u - 0xdc00));
      run = "";
    } else run += ch;
  }
  parts.push(Buffer.from(run, "utf8"));
  return Buffer.concat(parts);
}

/**
 * Objects by id through one `git cat-file --batch`: the blob's bytes, or absent when the object
 * database does not have it (a partial clone, a damaged repository) or it is not a blob.
 */
export async function readBlobs(top: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  const wanted = [...new Set(oids)].filter((o) => /^[0-9a-f]+$/.test(o));
  if (wanted.length === 0) return result;
  const { stdout } = await runGit(top, ["cat-file", "--batch"], { input: wanted.map((o) => `${o}\n`).join("") });
  let pos = 0;
  for (const oid of wanted) {
    const eol = stdout.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = stdout.subarray(pos, eol).toString("latin1");
    pos = eol + 1;
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (m === null) continue; // "<oid> missing": nothing follows the header
    const size = Number(m[3]);
    if (m[1] === oid && m[2] === "blob") result.set(oid, Buffer.from(stdout.subarray(pos, pos + size)));
    pos += size + 1;
  }
  return result;
}

/** Tracked files plus untracked files that are not ignored: what a commit could contain. */
export async function committablePaths(top: string): Promise<string[]> {
  const { stdout } = await runGit(top, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  // decodePath, so a name that is not UTF-8 can still be read (through encodePath) and matched.
  const names: string[] = [];
  for (let pos = 0; pos < stdout.length;) {
    const end = stdout.indexOf(0, pos);
    const stop = end < 0 ? stdout.length : end;
    if (stop > pos) names.push(decodePath(stdout.subarray(pos, stop)));
    pos = stop + 1;
  }
  return [...new Set(names)];
}

/**
 * Which of `paths` a commit could take in: tracked (true) or untracked and not ignored (false).
 * Paths git ignores, or that do not exist, are absent.
 */
export async function committableOf(top: string, paths: readonly string[]): Promise<Map<string, boolean>> {
  if (paths.length === 0) return new Map();
  const { stdout } = await runGit(top, ["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "--", ...paths.map((p) => `:(literal)${p}`)]);
  const out = new Map<string, boolean>();
  // `-t` tags each entry: "? " untracked, anything else (H, S, M, ...) is in the index.
  for (const entry of splitZ(stdout)) out.set(entry.slice(2), out.get(entry.slice(2)) === true || !entry.startsWith("? "));
  return out;
}

/** The subset of `paths` that git ignores (tracked files are never reported as ignored). */
export async function ignoredPaths(top: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const { stdout } = await runGit(top, ["check-ignore", "-z", "--stdin"], { input: paths.join("\0") + "\0", okCodes: [1] });
  return new Set(splitZ(stdout));
}

/**
 * The staged content of each path, read through one `git cat-file --batch` for speed. A path the
 * index does not hold is absent from the result.
 */
export async function readStaged(top: string, paths: readonly string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  // The batch protocol is line-based: a name with a newline is read on its own.
  const batch = paths.filter((p) => !p.includes("\n"));
  for (const odd of paths.filter((p) => p.includes("\n"))) {
    const { stdout } = await runGit(top, ["cat-file", "blob", `:./${odd}`], { okCodes: [128] });
    if (stdout.length > 0) result.set(odd, stdout);
  }
  if (batch.length === 0) return result;
  const { stdout } = await runGit(top, ["cat-file", "--batch"], { input: batch.map((p) => `:./${p}\n`).join("") });
  let pos = 0;
  for (const path of batch) {
    const eol = stdout.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = stdout.subarray(pos, eol).toString("utf8");
    pos = eol + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (m === null) continue; // "<name> missing" or "ambiguous": nothing follows the header
    const size = Number(m[2]);
    if (m[1] === "blob") result.set(path, Buffer.from(stdout.subarray(pos, pos + size)));
    pos += size + 1;
  }
  return result;
}

/** Where git runs the named hook from `cwd`: `.git/hooks/NAME`, or under `core.hooksPath`. */
export async function hookFile(cwd: string, name: string): Promise<string> {
  const { stdout } = await runGit(cwd, ["rev-parse", "--git-path", `hooks/${name}`]);
  return resolve(cwd, stdout.toString("utf8").trim());
}

/** A key of the repository's own config (`--local`), or undefined when it is not set. */
export async function localConfig(top: string, name: string): Promise<string | undefined> {
  const { stdout, code } = await runGit(top, ["config", "--local", "--get", name], { okCodes: [1] });
  return code === 0 ? stdout.toString("utf8").replace(/\n$/, "") : undefined;
}

export async function setLocalConfig(top: string, name: string, value: string): Promise<void> {
  await runGit(top, ["config", "--local", name, value]);
}

export async function unsetLocalConfig(top: string, name: string): Promise<void> {
  await runGit(top, ["config", "--local", "--unset-all", name]);
}

/**
 * Removes a config section when no key is left in it: `--unset` leaves an empty `[diff "kmseal"]`
 * header behind, while a section that still holds other keys stays.
 */
export async function dropEmptySection(top: string, section: string): Promise<void> {
  const keyPattern = `^${section.replaceAll(".", "\\.")}\\.`;
  const left = await runGit(top, ["config", "--local", "--get-regexp", keyPattern]).catch(() => null);
  if (left === null) await runGit(top, ["config", "--local", "--remove-section", section]).catch(() => undefined);
}

/**
 * `git merge-file`: git's line merge of plain text, result (with conflict markers) in `ours`.
 * Resolves to 0 when clean, 1 on conflicts.
 */
export async function mergeFile(ours: string, base: string, theirs: string, label: string): Promise<number> {
  const conflicts = Array.from({ length: 127 }, (_, i) => i + 1);
  const args = ["merge-file", "-L", `${label} (ours)`, "-L", `${label} (base)`, "-L", `${label} (theirs)`, ours, base, theirs];
  const { code } = await runGit(process.cwd(), args, { okCodes: conflicts, showStderr: true });
  return code === 0 ? 0 : 1;
}
