/** Temporary git repositories for tests: real git, no global or system config, no GIT_* leaking in. */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled CLI entry (build/src/cli/bin.js), runnable without the esbuild bundle. */
export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/bin.js", import.meta.url));

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && !k.startsWith("AWS_") && !k.startsWith("KMSEAL_")) env[k] = v;
  return { ...env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...extra };
}

export function tempDir(prefix = "kmseal-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function writeFiles(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs git without throwing, e.g. a commit that a hook may refuse. */
export function gitTry(cwd: string, args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync("git", [...args], { cwd, env: cleanEnv(env), encoding: "utf8" });
}

export function tempRepo(files: Record<string, string | Uint8Array> = {}): string {
  const dir = tempDir("kmseal-repo-");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
  writeFiles(dir, files);
  return dir;
}

/** A project-local kmseal (node_modules/.bin/kmseal) running the compiled CLI, as npm would install it. */
export function installLocalKmseal(repo: string): void {
  const bin = join(repo, "node_modules", ".bin", "kmseal");
  mkdirSync(dirname(bin), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${CLI_MAIN}" "$@"\n`);
  chmodSync(bin, 0o755);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
