/**
 * What each plaintext copy was made from. When `decrypt` writes a plaintext copy, or `encrypt` seals
 * one, the encrypted file's bytes at that moment are recorded under the plaintext's path: the base of
 * a later three-way merge, so that `encrypt` of a copy made before a `set`, an `edit` or a `git pull`
 * cannot silently put the older values back.
 *
 * Only ciphertext is kept (the encrypted file's own bytes, which git holds anyway), never plaintext
 * nor a hash of it (a hash of a short secret can be guessed offline). Records live outside the work
 * tree: under the repository's common git folder (`.git/kmseal/copies`), or outside git under
 * `$XDG_CACHE_HOME/kmseal/copies` (`~/.cache/...`), folders 0700, files 0600, written atomically.
 * Recording is best effort: a copy without a record is still guarded (ops/plaintext/stale.ts refuses
 * when the encrypted file is newer and differs), so a read-only or missing home never fails a decrypt.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, stat, unlink, chmod } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { gitCommonDir, gitEntryAbove } from "../../git/git.js";
import { writeAtomic } from "../../platform/atomic-write.js";
import { loadStore } from "../../stores/registry.js";
import type { Format } from "../../stores/store.js";
import { metadataFromPlain } from "../../core/metadata.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface CopyOrigin {
  /** Absolute path of the plaintext copy (its folder's real path). */
  readonly plaintext: string;
  /** Absolute path of the encrypted file it was made from (or sealed to). */
  readonly encrypted: string;
  /** That encrypted file's `sops.mac` and `sops.lastmodified` when the copy was made. */
  readonly mac: string;
  readonly lastmodified: string;
  /** The encrypted file's bytes then; null when they were over the size kept (the copy is then guarded as if it had no record). */
  readonly ciphertext: Buffer | null;
  /** Set by `kmseal mv` when it could not move the copy along: the encrypted file now lives there. */
  readonly movedTo: string | null;
}

/** Per record: a secrets file is small; a larger one is tracked by its MAC only. */
export const MAX_KEPT_BYTES = 4 * 1024 * 1024;
/** For all records in one folder: the oldest go first. */
export const MAX_RECORDS = 256;
export const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

interface Stored {
  readonly v: 1;
  readonly plaintext: string;
  readonly encrypted: string;
  readonly mac: string;
  readonly lastmodified: string;
  readonly ciphertext: string | null;
  readonly movedTo: string | null;
}

/** A folder's real path with the name appended: the same copy reached through a symbolic link has one record. */
async function canonical(file: string): Promise<string> {
  const abs = resolve(file);
  try {
    return join(await realpath(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}

/** One `git rev-parse` per work tree and process: `decrypt --all` writes a record per file. */
const commonDirs = new Map<string, Promise<string | null>>();

/** The records folder for a plaintext path; null when there is nowhere private to keep them. */
async function recordsDir(plain: string, env: Env): Promise<string | null> {
  const folder = dirname(plain);
  const entry = gitEntryAbove(folder);
  if (entry !== null) {
    let common = commonDirs.get(entry);
    if (common === undefined) commonDirs.set(entry, (common = gitCommonDir(folder)));
    const dir = await common;
    if (dir !== null) return join(dir, "kmseal", "copies");
  }
  const xdg = env["XDG_CACHE_HOME"];
  const base = xdg !== undefined && xdg.startsWith("/") ? xdg : env["HOME"] ? join(env["HOME"], ".cache") : null;
  if (base === null) return null;
  // A home folder that does not exist is not created (a test's HOME, a service account).
  const home = xdg !== undefined && xdg.startsWith("/") ? xdg : env["HOME"]!;
  if (!(await stat(home).catch(() => null))?.isDirectory()) return null;
  return join(base, "kmseal", "copies");
}

function recordName(plain: string): string {
  return createHash("sha256").update(plain).digest("hex") + ".json";
}

async function recordPath(file: string, env: Env): Promise<{ plain: string; dir: string; path: string } | null> {
  const plain = await canonical(file);
  const dir = await recordsDir(plain, env);
  return dir === null ? null : { plain, dir, path: join(dir, recordName(plain)) };
}

/** The encrypted file's MAC and stamp, read without a key; null when the bytes are not a sealed file. */
export async function stampOf(bytes: Uint8Array, format: Format): Promise<{ mac: string; lastmodified: string } | null> {
  try {
    const doc = (await loadStore(format)).parse(bytes);
    if (doc.metadata === null) return null;
    const meta = metadataFromPlain(doc.metadata);
    return { mac: meta.mac, lastmodified: meta.lastmodified };
  } catch {
    return null;
  }
}

export async function readOrigin(file: string, env: Env): Promise<CopyOrigin | null> {
  const where = await recordPath(file, env).catch(() => null);
  if (where === null) return null;
  let stored: Partial<Record<keyof Stored, unknown>>;
  try {
    stored = JSON.parse(await readFile(where.path, "utf8")) as Partial<Record<keyof Stored, unknown>>;
  } catch {
    return null;
  }
  // A record for another path (a hash collision, a hand-edited file) is no record.
  if (stored.v !== 1 || stored.plaintext !== where.plain) return null;
  if (typeof stored.encrypted !== "string" || typeof stored.mac !== "string" || typeof stored.lastmodified !== "string") return null;
  return {
    plaintext: where.plain,
    encrypted: stored.encrypted,
    mac: stored.mac,
    lastmodified: stored.lastmodified,
    ciphertext: typeof stored.ciphertext === "string" ? Buffer.from(stored.ciphertext, "base64") : null,
    movedTo: typeof stored.movedTo === "string" ? stored.movedTo : null,
  };
}

/** The encrypted path an origin must name to be this copy's base: compared as canonical paths. */
export async function sameEncrypted(origin: CopyOrigin, encrypted: string): Promise<boolean> {
  return origin.encrypted === (await canonical(encrypted));
}

/**
 * Records that the plaintext copy `file` was made from (or sealed to) `encrypted`, whose bytes are
 * `bytes`. Best effort: returns false when nothing could be recorded.
 */
export async function recordOrigin(
  file: string,
  encrypted: string,
  bytes: Uint8Array,
  format: Format,
  env: Env,
  opts: { movedTo?: string | undefined; keep?: CopyOrigin | undefined } = {},
): Promise<boolean> {
  try {
    const stamp = opts.keep ?? (await stampOf(bytes, format));
    if (stamp === null) return false;
    const where = await recordPath(file, env);
    if (where === null) return false;
    const kept = opts.keep !== undefined ? opts.keep.ciphertext : bytes.length <= MAX_KEPT_BYTES ? Buffer.from(bytes) : null;
    const stored: Stored = {
      v: 1,
      plaintext: where.plain,
      encrypted: await canonical(encrypted),
      mac: stamp.mac,
      lastmodified: stamp.lastmodified,
      ciphertext: kept === null ? null : kept.toString("base64"),
      movedTo: opts.movedTo !== undefined ? await canonical(opts.movedTo) : null,
    };
    await mkdir(where.dir, { recursive: true, mode: 0o700 });
    await chmod(where.dir, 0o700);
    await writeAtomic(where.path, Buffer.from(JSON.stringify(stored), "utf8"), { mode: 0o600, forceMode: true });
    await prune(where.dir);
    return true;
  } catch {
    return false;
  }
}

export async function forgetOrigin(file: string, env: Env): Promise<void> {
  const where = await recordPath(file, env).catch(() => null);
  if (where !== null) await unlink(where.path).catch(() => undefined);
}

/** Keeps the folder under MAX_RECORDS files and MAX_TOTAL_BYTES, dropping the least recently written. */
async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".json"));
  const entries = await Promise.all(
    names.map(async (n) => {
      const st = await stat(join(dir, n)).catch(() => null);
      return { path: join(dir, n), size: st?.size ?? 0, mtime: st?.mtimeMs ?? 0 };
    }),
  );
  entries.sort((a, b) => b.mtime - a.mtime);
  let total = 0;
  for (const [i, e] of entries.entries()) {
    total += e.size;
    if (i >= MAX_RECORDS || total > MAX_TOTAL_BYTES) await unlink(e.path).catch(() => undefined);
  }
}
