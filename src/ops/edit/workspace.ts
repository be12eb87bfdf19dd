/**
 * The one place decrypted text touches a disk: a private folder (0700) holding one file (0600) for
 * the editor, under `$XDG_RUNTIME_DIR` (per-user, memory-backed, cleared at logout) when it is usable,
 * else the system temp folder. It is removed on every way out: normal return, exceptions, process
 * exit, and SIGINT/SIGTERM/SIGHUP (after which kmseal ends with that signal, so the shell sees 130/143/129).
 */
import { constants, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardTemp } from "../../platform/temp-guard.js";

export const WORKSPACE_PREFIX = "kmseal-edit-";
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Signal = (typeof SIGNALS)[number];
const NUMBER: Record<Signal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export interface Workspace {
  readonly dir: string;
  readonly file: string;
  /** Replaces the file's content (still 0600). */
  write(content: Uint8Array): void;
  /** Removes the folder; safe to call more than once. */
  remove(): void;
}

export interface WorkspaceOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A SIGINT is left to the editor while this returns true (Ctrl-C at a terminal reaches both). */
  readonly interruptGoesToEditor?: () => boolean;
  /** Called on a terminating signal before the folder is removed, e.g. to stop the editor. */
  readonly onSignal?: (signal: Signal) => void;
}

/** Where workspaces go: `$XDG_RUNTIME_DIR` if it is a private folder of this user, else the temp folder. */
export function workspaceRoot(env: Readonly<Record<string, string | undefined>>): string {
  const runtime = env["XDG_RUNTIME_DIR"];
  if (runtime !== undefined && runtime !== "") {
    try {
      const st = statSync(runtime);
      if (st.isDirectory() && (st.mode & 0o077) === 0 && (process.getuid === undefined || st.uid === process.getuid())) return runtime;
    } catch {
      // not usable: fall back
    }
  }
  return tmpdir();
}

export function openWorkspace(name: string, content: Uint8Array, opts: WorkspaceOptions): Workspace {
  const dir = mkdtempSync(join(workspaceRoot(opts.env), WORKSPACE_PREFIX));
  // Removes the folder even when kmseal is killed with SIGKILL, where no handler below can run.
  const guard = guardTemp(dir);
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
    guard.release();
    process.off("exit", remove);
    for (const [s, h] of handlers) process.off(s, h);
  };
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (signal === "SIGINT" && opts.interruptGoesToEditor?.() === true) return;
      try {
        opts.onSignal?.(signal);
      } finally {
        remove();
        endWith(signal);
      }
    };
    return [signal, handler] as const;
  });
  // Handlers first: from here on, plaintext may be on disk.
  for (const [s, h] of handlers) process.on(s, h);
  process.on("exit", remove);
  const write = (data: Uint8Array) => {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
  };
  try {
    write(content);
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, file, write, remove };
}

/** Ends the process as the signal would have, so callers see a death by signal (exit 128+n). */
function endWith(signal: Signal): void {
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  // Someone else also listens (so the default action will not run), or the kill did not end us.
  setImmediate(() => process.exit(128 + NUMBER[signal]));
}
