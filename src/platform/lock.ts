/**
 * One writer at a time per encrypted file. Commands that read a file, change it and write it back
 * (set, unset, edit, encrypt over an existing target, rotate, updatekeys, mv) hold this lock from
 * the read to the rename, so two of them never both start from the same old version and silently
 * drop one update. The lock is a file created with O_EXCL next to the target; a lock whose holder
 * died (same host and the pid is gone) or that is very old is taken over; waiting is bounded and
 * ends with an error that names the holder. Not re-entrant: never nest two locks on one path.
 */
import { randomBytes } from "node:crypto";
import { link, open, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { KmsealError } from "../core/errors.js";

export interface LockOptions {
  /** How long to wait for another holder (default 30 s, or KMSEAL_LOCK_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** A lock older than this is taken over even if its holder cannot be checked (other host). */
  readonly staleMs?: number;
  /** The error to give up with, for callers whose waiters are not writers of `target` (the session cache). */
  readonly busy?: (holder: string, lockPath: string) => Error;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
  readonly since: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_STALE_MS = 60 * 60_000;
/** A lock file still empty after this long was left by a process that died creating it (O_EXCL fallback). */
const EMPTY_STALE_MS = 10_000;

/** In-process queue per lock, so concurrent callers inside one kmseal (--all) wait in memory. */
const queues = new Map<string, Promise<void>>();

export function lockPathOf(target: string): string {
  const abs = resolve(target);
  return join(dirname(abs), `.${basename(abs)}.kmseal-lock`);
}

export async function withFileLock<T>(target: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = lockPathOf(target);
  const previous = queues.get(lock) ?? Promise.resolve();
  let done!: () => void;
  const gate = new Promise<void>((r) => (done = r));
  const mine = previous.then(() => gate);
  queues.set(lock, mine);
  await previous;
  try {
    const held = await acquire(lock, target, opts);
    try {
      return await fn();
    } finally {
      if (held !== null) await releaseLock(lock, held);
    }
  } finally {
    done();
    if (queues.get(lock) === mine) queues.delete(lock);
  }
}

/** Takes the lock; null when the folder cannot hold a lock file (missing or read-only): the write will fail on its own. */
async function acquire(lock: string, target: string, opts: LockOptions): Promise<string | null> {
  const timeoutMs = opts.timeoutMs ?? (Number(process.env["KMSEAL_LOCK_TIMEOUT_MS"]) || DEFAULT_TIMEOUT_MS);
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + timeoutMs;
  const nonce = randomBytes(8).toString("hex");
  const me: Holder = { pid: process.pid, host: hostname(), nonce, since: new Date().toISOString() };
  let delay = 5;
  for (;;) {
    try {
      await create(lock, JSON.stringify(me) + "\n");
      await sweepLeftovers(lock);
      return nonce;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES" || code === "EPERM" || code === "EROFS") return null;
      if (code !== "EEXIST") throw err;
    }
    const seen = await readHolder(lock);
    // No `continue` after a break: a stale lock that cannot be removed (another user's, in a sticky
    // folder) would otherwise be retried forever, past the deadline below.
    if (seen !== null && isStale(seen, staleMs)) await breakLock(lock, seen.raw);
    if (Date.now() >= deadline) {
      const who = seen?.holder ? `kmseal process ${seen.holder.pid} on ${seen.holder.host} (since ${seen.holder.since})` : "another kmseal process";
      if (opts.busy !== undefined) throw opts.busy(who, lock);
      throw new KmsealError("usage", `${target} is locked by ${who}; gave up after ${Math.round(timeoutMs / 1000)} s`, {
        hint: `wait for it to finish and retry; if no kmseal is running, delete ${lock}`,
      });
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}

/**
 * Creates the lock with its content in one step: written to a private file, then hard-linked to the
 * lock name (fails with EEXIST when taken). So a lock is never seen empty, and a holder killed at
 * any moment leaves a lock that names its dead pid. Where hard links are not supported, O_EXCL.
 */
async function create(lock: string, content: string): Promise<void> {
  const temp = `${lock}.${process.pid}-${randomBytes(4).toString("hex")}`;
  await writeFile(temp, content, { flag: "wx", mode: 0o600 });
  try {
    await link(temp, lock);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
    const handle = await open(lock, "wx", 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readHolder(lock: string): Promise<{ raw: string; holder: Holder | null; ageMs: number } | null> {
  try {
    const [raw, st] = await Promise.all([readFile(lock, "utf8"), stat(lock)]);
    let holder: Holder | null = null;
    try {
      holder = JSON.parse(raw) as Holder;
    } catch {
      // being written right now, or left empty by a process that died
    }
    return { raw, holder, ageMs: Date.now() - st.mtimeMs };
  } catch {
    return null; // released between our open and this read: just retry
  }
}

function isStale(seen: { holder: Holder | null; ageMs: number }, staleMs: number): boolean {
  if (seen.holder === null) return seen.ageMs > EMPTY_STALE_MS;
  if (seen.ageMs > staleMs) return true;
  return seen.holder.host === hostname() && !alive(seen.holder.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a stale lock, but only the one that was judged stale: two processes breaking it at once
 * must not remove the fresh lock a third one just took. A short-lived `.break` file serializes breakers.
 */
async function breakLock(lock: string, staleRaw: string): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    const handle = await open(breaker, "wx", 0o600);
    await handle.close();
  } catch {
    const st = await stat(breaker).catch(() => null);
    if (st !== null && Date.now() - st.mtimeMs > EMPTY_STALE_MS) await unlink(breaker).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    return;
  }
  try {
    const now = await readFile(lock, "utf8").catch(() => null);
    if (now === staleRaw) await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/**
 * With the lock held, no other kmseal writes this target: what a writer killed earlier may have left
 * next to it — a lock-creation file, an atomic-write.ts temp file (`.NAME.kmseal-PID-HEX.tmp`) — is
 * removed when that pid is no longer running. One readdir per locked command.
 */
async function sweepLeftovers(lock: string): Promise<void> {
  const base = basename(lock);
  const target = base.slice(1, -".kmseal-lock".length).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const leftover = new RegExp(`^(?:\\.${target}\\.kmseal-lock\\.|\\.${target}\\.kmseal-)(\\d+)-[0-9a-f]+(?:\\.tmp)?$`);
  const names = await readdir(dirname(lock)).catch(() => [] as string[]);
  for (const name of names) {
    const m = leftover.exec(name);
    if (m !== null && !alive(Number(m[1]))) await unlink(join(dirname(lock), name)).catch(() => undefined);
  }
}

async function releaseLock(lock: string, nonce: string): Promise<void> {
  const seen = await readHolder(lock);
  if (seen?.holder?.nonce === nonce) await unlink(lock).catch(() => undefined);
}
