/**
 * What the distribution tests share: the packed tarball, a fresh consumer project that installs it
 * as a user would, and the Node releases to run it on (the machine's node and .nodes/<major>/,
 * which scripts/install-node.sh fills).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { REPO_ROOT } from "../peers/harness/paths.js";

export { REPO_ROOT };

/** npm, as the user's shell finds it; npm_config_* from an enclosing `npm test` must not leak in. */
export function npm(cwd: string, args: string[], env: Record<string, string> = {}, timeout = 600_000): SpawnSyncReturns<string> {
  return spawnSync("npm", args, { cwd, env: cleanEnv(env), encoding: "utf8", timeout });
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k.startsWith("KMSEAL_") || k.startsWith("AWS_") || k.startsWith("SOPS_")) continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", ...extra };
}

const made: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `npm pack` of the built repository (dist/ as `npm test` built it), into a temp folder. */
export function packTarball(): string {
  const out = tempDir("kmseal-pack-");
  const r = npm(REPO_ROOT, ["pack", "--ignore-scripts", "--silent", "--pack-destination", out]);
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const tgz = readdirSync(out).find((f) => f.endsWith(".tgz"));
  if (tgz === undefined) throw new Error(`npm pack wrote no tarball: ${r.stdout}`);
  return join(out, tgz);
}

/** A fresh project with only a package.json, then `npm install SPEC` (from the npm cache where it can). */
export function consumerProject(spec: string, extraArgs: string[] = []): { dir: string; install: SpawnSyncReturns<string> } {
  const dir = tempDir("kmseal-consumer-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2) + "\n");
  const install = npm(dir, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...extraArgs, spec]);
  return { dir, install };
}

export interface NodeRelease {
  readonly major: number;
  readonly bin: string;
}

/** The machine's node and every node scripts/install-node.sh installed, oldest first. */
export function nodeReleases(): NodeRelease[] {
  const out: NodeRelease[] = [{ major: Number(process.versions.node.split(".")[0]), bin: process.execPath }];
  const nodes = join(REPO_ROOT, ".nodes");
  if (existsSync(nodes)) {
    for (const d of readdirSync(nodes).sort((a, b) => Number(a) - Number(b))) {
      const bin = join(nodes, d, "bin", "node");
      if (/^\d+$/.test(d) && existsSync(bin) && bin !== process.execPath) out.push({ major: Number(d), bin });
    }
  }
  return out;
}

/** An environment whose `node` (for bin shebangs) is the given release. */
export function envFor(node: NodeRelease, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = cleanEnv(extra);
  return { ...base, PATH: [dirname(node.bin), base["PATH"] ?? ""].join(delimiter) };
}

/**
 * The repository as a fresh `git clone` of it would be: the tracked and not-ignored files of the
 * working tree (so uncommitted edits are tested too), committed in a new repository, with no
 * dist/, node_modules/ or other ignored output.
 */
export function sourceClone(): string {
  const dir = tempDir("kmseal-clone-");
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  // Regular files only: a symlinked .peers/ (a worktree sharing the peers) is not part of a clone.
  for (const rel of listed.stdout.split("\0").filter((f) => f !== "" && existsSync(join(REPO_ROOT, f)) && lstatSync(join(REPO_ROOT, f)).isFile())) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    copyFileSync(join(REPO_ROOT, rel), join(dir, rel));
  }
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=kmseal-test", "-c", "user.email=test@kmseal.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "kmseal under test");
  return dir;
}
