/**
 * Atomic file replacement: the new content goes to a private temp file in the target's folder,
 * is flushed, and is renamed over the target, so a crash leaves either the old or the new file.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface WriteOptions {
  /** Mode for a new file; an existing target keeps its own mode unless `forceMode`. */
  readonly mode?: number;
  readonly forceMode?: boolean;
}

export async function writeAtomic(target: string, data: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  let mode = opts.mode ?? 0o644;
  if (!opts.forceMode) {
    try {
      mode = (await stat(target)).mode & 0o7777;
    } catch {
      // new file
    }
  }
  const temp = join(dirname(target), `.${basename(target)}.kmseal-${randomBytes(6).toString("hex")}.tmp`);
  // Created 0600 so plaintext is never readable by others, even for a moment; chmod after writing.
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** The current bytes of a file, or null when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}
