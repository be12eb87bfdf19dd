/**
 * The on-disk cache of MFA sessions and role sessions: one JSON file per (kind, profile, MFA serial,
 * role) in a 0700 folder, each file 0600 and written atomically. A lock file serialises refreshes so that
 * two kmseal processes needing a session at once ask for one MFA code, not two.
 */
import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KmsealError } from "../core/errors.js";
import { writeAtomic } from "../platform/atomic-write.js";
import { lockPathOf, withFileLock, type LockOptions } from "../platform/lock.js";
import { stderrLog } from "./credential-identity.js";
import type { AwsCredentials, CallerIdentity, CredentialLog } from "./credential-identity.js";

export interface SessionKey {
  readonly kind: "session" | "role";
  readonly profile: string;
  readonly mfaSerial: string;
  readonly roleArn?: string | undefined;
}

export interface CachedSession extends SessionKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
  readonly identity?: CallerIdentity | undefined;
  readonly createdAt: string;
}

export interface SessionCacheOptions {
  dir: string;
  now?: () => number;
  /** A session is reused while more than this remains (default 5 minutes). */
  minRemainingMs?: number;
  log?: CredentialLog;
  /** Waiting and stale limits of the refresh lock; `busy` is the cache's own. */
  lock?: Omit<LockOptions, "busy">;
}

export const DEFAULT_MIN_REMAINING_MS = 5 * 60_000;
/** A refresh may be waiting for a person to type an MFA code: wait long, and judge a lock stale late. */
const REFRESH_LOCK = { timeoutMs: 5 * 60_000, staleMs: 10 * 60_000 } as const;

/** `$XDG_CACHE_HOME/kmseal/sessions`, else `~/.cache/kmseal/sessions`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  const base = xdg !== undefined && xdg.startsWith("/") ? xdg : join(env["HOME"] || homedir(), ".cache");
  return join(base, "kmseal", "sessions");
}

export class SessionCache {
  readonly dir: string;
  readonly now: () => number;
  readonly minRemainingMs: number;
  readonly #log: CredentialLog;
  readonly #lock: SessionCacheOptions["lock"];

  constructor(opts: SessionCacheOptions) {
    this.dir = opts.dir;
    this.now = opts.now ?? Date.now;
    this.minRemainingMs = opts.minRemainingMs ?? DEFAULT_MIN_REMAINING_MS;
    this.#log = opts.log ?? stderrLog;
    this.#lock = opts.lock;
  }

  /** The cached entry (possibly expired), or undefined when missing, corrupt or unsafe. */
  read(key: SessionKey): CachedSession | undefined {
    return this.#load(this.pathOf(key));
  }

  /** The cached entry while more than `minRemainingMs` of it remains. */
  fresh(key: SessionKey): CachedSession | undefined {
    const s = this.read(key);
    return s !== undefined && this.remainingMs(s) > this.minRemainingMs ? s : undefined;
  }

  remainingMs(s: Pick<CachedSession, "expiration">): number {
    return Date.parse(s.expiration) - this.now();
  }

  async write(session: CachedSession): Promise<void> {
    this.#ensureDir();
    // forceMode: an entry some other tool left readable by others is replaced by a private one.
    await writeAtomic(this.pathOf(session), Buffer.from(`${JSON.stringify(session, null, 2)}\n`), { mode: 0o600, forceMode: true });
  }

  remove(key: SessionKey): boolean {
    const path = this.pathOf(key);
    const existed = this.#exists(path);
    rmSync(path, { force: true });
    return existed;
  }

  /** Every readable entry (expired ones included). */
  list(): CachedSession[] {
    return this.#files().flatMap((f) => this.#load(join(this.dir, f), { quiet: true }) ?? []);
  }

  /** Deletes the entries of one profile, or all of them; returns the entries that were removed. */
  clear(profile?: string): CachedSession[] {
    const removed: CachedSession[] = [];
    for (const f of this.#files()) {
      const path = join(this.dir, f);
      const s = this.#load(path, { quiet: true });
      if (profile !== undefined && s !== undefined && s.profile !== profile) continue;
      rmSync(path, { force: true });
      if (s !== undefined) removed.push(s);
    }
    return removed;
  }

  /** Runs `fn` holding the refresh lock of `key`; another process waits, then usually finds a fresh entry. */
  async withLock<T>(key: SessionKey, fn: () => Promise<T>): Promise<T> {
    this.#ensureDir();
    return withFileLock(this.pathOf(key), fn, {
      ...REFRESH_LOCK,
      ...this.#lock,
      busy: (holder, lock) =>
        new KmsealError("auth", `${holder} is still refreshing the AWS session`, { hint: `finish or cancel that command; if none is running, delete ${lock}` }),
    });
  }

  /** The refresh lock's file (platform/lock.ts names it after the entry). */
  lockPathOf(key: SessionKey): string {
    return lockPathOf(this.pathOf(key));
  }

  pathOf(key: SessionKey): string {
    const id = createHash("sha256")
      .update(JSON.stringify([key.kind, key.profile, key.mfaSerial, key.roleArn ?? ""]))
      .digest("hex")
      .slice(0, 16);
    return join(this.dir, `${key.profile.replace(/[^A-Za-z0-9_.-]/g, "_")}--${key.kind}--${id}.json`);
  }

  #load(path: string, opts: { quiet?: boolean } = {}): CachedSession | undefined {
    let text: string;
    try {
      const st = lstatSync(path);
      const unsafe = !st.isFile() || (st.mode & 0o077) !== 0 || (process.getuid !== undefined && st.uid !== process.getuid());
      if (unsafe) {
        if (!opts.quiet) {
          this.#log.warn(`ignoring session cache ${path}: it must be a file of yours with mode 0600 (it is ${(st.mode & 0o777).toString(8)})`);
        }
        return undefined;
      }
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      if (!opts.quiet) this.#log.warn(`ignoring unreadable session cache ${path}`);
      return undefined;
    }
    const session = parseSession(text);
    if (session === undefined) {
      if (!opts.quiet) this.#log.warn(`discarding corrupt session cache ${path}`);
      rmSync(path, { force: true });
    }
    return session;
  }

  #files(): string[] {
    try {
      return readdirSync(this.dir).filter((f) => f.endsWith(".json"));
    } catch {
      return [];
    }
  }

  #exists(path: string): boolean {
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  }

  #ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const st = statSync(this.dir);
    if ((st.mode & 0o077) !== 0) chmodSync(this.dir, 0o700);
  }
}

export function credentialsOf(s: CachedSession): AwsCredentials {
  return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: new Date(s.expiration) };
}

function parseSession(text: string): CachedSession | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const strings = ["profile", "mfaSerial", "accessKeyId", "secretAccessKey", "sessionToken", "expiration", "createdAt"];
  if (!strings.every((k) => typeof o[k] === "string" && o[k] !== "")) return undefined;
  if (o["kind"] !== "session" && o["kind"] !== "role") return undefined;
  if (o["roleArn"] !== undefined && typeof o["roleArn"] !== "string") return undefined;
  if (Number.isNaN(Date.parse(o["expiration"] as string))) return undefined;
  return v as CachedSession;
}
