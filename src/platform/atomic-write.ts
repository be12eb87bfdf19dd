/**
 * Atomic file replacement: the new content goes to a private temp file in the target's folder,
 * is flushed, and is renamed over the target, so a crash leaves either the old or the new file.
 * The folder is flushed too, so the rename itself survives a power loss.
 *
 * `writeAtomicSync` is the same write for callers that cannot await (the session cache, which is
 * written under a lock from synchronous code): same temp name, 0600 creation, flush and rename.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { KmsealError } from "../core/errors.js";
import { guardTemp, type TempGuard } from "./temp-guard.js";

export interface WriteOptions {
  /** Mode for a new file; an existing target keeps its own mode unless `forceMode`. */
  readonly mode?: number;
  readonly forceMode?: boolean;
  /** The content is plaintext: a watcher removes the temp file even if kmseal is killed (temp-guard.ts). */
  readonly sensitive?: boolean;
}

export async function writeAtomic(target: string, data: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  let mode = opts.mode ?? 0o644;
  try {
    mode = modeFor(await stat(target), target, opts) ?? mode;
  } catch (err) {
    if (err instanceof KmsealError) throw err;
    // a new file
  }
  const temp = tempNameFor(target);
  const guard: TempGuard | undefined = opts.sensitive ? guardTemp(temp) : undefined;
  try {
    // Created 0600 so plaintext is never readable by others, even for a moment; chmod after writing.
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch((err: unknown) => {
      throw writeError(target, err);
    });
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw writeError(target, err);
  } finally {
    guard?.release();
  }
  await syncFolder(dirname(target));
}

export function writeAtomicSync(target: string, data: Uint8Array, opts: WriteOptions = {}): void {
  let mode = opts.mode ?? 0o644;
  try {
    mode = modeFor(statSync(target), target, opts) ?? mode;
  } catch (err) {
    if (err instanceof KmsealError) throw err;
    // a new file
  }
  const temp = tempNameFor(target);
  const guard: TempGuard | undefined = opts.sensitive ? guardTemp(temp) : undefined;
  try {
    let fd: number;
    try {
      fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (err) {
      throw writeError(target, err);
    }
    try {
      for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // not created, or already renamed
    }
    throw writeError(target, err);
  } finally {
    guard?.release();
  }
  syncFolderSync(dirname(target));
}

/** The mode to give the new content, or undefined for a new file's default. */
function modeFor(st: { isDirectory(): boolean; mode: number }, target: string, opts: WriteOptions): number | undefined {
  if (st.isDirectory()) throw new KmsealError("usage", `cannot write ${target}: it is a directory`, { hint: "name a file, not a folder" });
  return opts.forceMode ? undefined : st.mode & 0o7777;
}

/** The pid in the name tells a person (or a sweep) which process a leftover belonged to. */
function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.kmseal-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

function syncFolderSync(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort, as in syncFolder
  }
}

/** Flushes a folder's entries (the rename); not every platform lets a folder be opened for that. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort: the data itself was flushed before the rename
  }
}

function writeError(target: string, err: unknown): Error {
  if (err instanceof KmsealError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "its folder does not exist"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "ENOSPC"
            ? "no space left on the device"
            : code === "EROFS"
              ? "the file system is read-only"
              : code === "EXDEV"
                ? "cross-device rename"
                : undefined;
  if (why === undefined) return err as Error;
  return new KmsealError("usage", `cannot write ${target}: ${why}`, { cause: err });
}

/** The current bytes of a file, or null when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EISDIR") throw new KmsealError("usage", `${path} is a directory`, { hint: "name a file, not a folder" });
    if (code === "EACCES") throw new KmsealError("usage", `cannot read ${path}: permission denied`);
    throw err;
  }
}
