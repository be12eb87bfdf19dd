/**
 * A cross-process lock file (O_CREAT|O_EXCL) that records its owner's pid. A lock whose owner is gone,
 * or that is older than `staleMs`, is taken over, so a crash during an MFA prompt never blocks later runs.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { KmsealError } from "../core/errors.js";

export interface LockOptions {
  /** How long to wait for another process before giving up (default 5 minutes: it may be waiting for a person). */
  timeoutMs?: number;
  /** A lock older than this is stale whatever its pid (default 10 minutes). */
  staleMs?: number;
  pollMs?: number;
}

type Sleep = (ms: number) => Promise<unknown>;

export class SessionLock {
  readonly path: string;
  readonly #timeoutMs: number;
  readonly #staleMs: number;
  readonly #pollMs: number;
  #held = false;

  constructor(path: string, opts: LockOptions = {}) {
    this.path = path;
    this.#timeoutMs = opts.timeoutMs ?? 5 * 60_000;
    this.#staleMs = opts.staleMs ?? 10 * 60_000;
    this.#pollMs = opts.pollMs ?? 50;
  }

  async acquire(sleep: Sleep): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      if (this.#tryCreate()) return;
      const owner = this.#owner();
      if (owner.stale) {
        this.#removeIfUnchanged(owner.text);
        continue;
      }
      if (Date.now() > deadline) {
        throw new KmsealError("auth", `another kmseal process${owner.pid !== undefined ? ` (pid ${owner.pid})` : ""} is still refreshing the AWS session`, {
          hint: `finish or cancel that command; if none is running, delete ${this.path}`,
        });
      }
      await sleep(this.#pollMs);
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    rmSync(this.path, { force: true });
  }

  #tryCreate(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
    this.#held = true;
    return true;
  }

  #owner(): { pid: number | undefined; stale: boolean; text: string | undefined } {
    let text: string;
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(this.path).mtimeMs;
      text = readFileSync(this.path, "utf8");
    } catch {
      // Gone between our create attempt and now: not stale, just retry.
      return { pid: undefined, stale: false, text: undefined };
    }
    const pid = pidOf(text);
    if (ageMs > this.#staleMs) return { pid, stale: true, text };
    // An empty lock is one being written right now, unless its writer died before writing.
    if (pid === undefined) return { pid, stale: ageMs > 5_000, text };
    return { pid, stale: !alive(pid), text };
  }

  /** Narrows the race where two waiters both judge a lock stale and one deletes the other's new lock. */
  #removeIfUnchanged(seen: string | undefined): void {
    try {
      if (readFileSync(this.path, "utf8") !== seen) return;
    } catch {
      return;
    }
    rmSync(this.path, { force: true });
  }
}

function pidOf(text: string): number | undefined {
  try {
    const v = JSON.parse(text) as { pid?: unknown };
    return typeof v.pid === "number" && Number.isInteger(v.pid) && v.pid > 0 ? v.pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
