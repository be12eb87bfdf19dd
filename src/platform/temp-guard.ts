/**
 * A plaintext temp file must not outlive kmseal, even when kmseal is killed with SIGKILL and no
 * cleanup code can run. So before such a file is created, its path is handed to a tiny watcher
 * process that holds the read end of a pipe: when kmseal exits for any reason the pipe closes, and
 * the watcher removes every path it was given (a no-op for a file already renamed into place or a
 * folder already removed: temp names are unique). The watcher ignores the terminal's signals and
 * runs in its own session, so Ctrl-C reaches kmseal but not the watcher.
 *
 * One watcher serves the whole process (started on the first guarded path): `decrypt --all` writing
 * 200 plaintext files starts one shell, not 200.
 */
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { shellQuote } from "./shell-quote.js";

export interface TempGuard {
  /** The file is gone or in its final place: nothing is left for the watcher to do. */
  release(): void;
}

/** Reads shell-quoted `rm -rf -- 'path'` lines until kmseal's end of the pipe closes, then runs them. */
const SCRIPT = 'trap "" INT HUP TERM QUIT; s=$(cat); eval "$s"';

let watcher: ChildProcess | undefined;

function startWatcher(): ChildProcess {
  // Loaded on the first guarded path only: a decrypt to stdout never starts a process.
  const { spawn } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  const child = spawn("/bin/sh", ["-c", SCRIPT, "kmseal-temp-guard"], { stdio: ["pipe", "ignore", "ignore"], detached: true });
  const forget = () => {
    if (watcher === child) watcher = undefined;
  };
  child.on("error", forget); // no /bin/sh: the guard is best effort; normal cleanup still runs
  child.on("exit", forget);
  child.stdin.on("error", forget);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

export function guardTemp(...paths: string[]): TempGuard {
  const released = { release: () => undefined };
  if (process.platform === "win32" || paths.length === 0) return released;
  try {
    watcher ??= startWatcher();
    // A pipe write this small goes straight to the kernel: the path is registered before the file exists.
    watcher.stdin?.write(`rm -rf -- ${paths.map(shellQuote).join(" ")}\n`);
  } catch {
    // best effort, as above
  }
  return released;
}
