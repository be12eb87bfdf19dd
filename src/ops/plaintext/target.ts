/**
 * Two facts about the file a decrypt would write, checked before deciding whether to write it:
 * whether an identical existing copy is private, and whether it is this process's own stdout.
 */
import { chmod, lstat, stat } from "node:fs/promises";
import { fchmodSync, fstatSync } from "node:fs";

/**
 * An existing plaintext that already holds the decrypted bytes is kept (same mtime), but never at
 * 0644/0666: a regular file is narrowed to 0600. False for anything else (a symbolic link), which the
 * caller then replaces with a private file as it would any other target.
 */
export async function keptPrivate(target: string): Promise<boolean> {
  const st = await lstat(target);
  if (!st.isFile()) return false;
  if ((st.mode & 0o777) !== 0o600) await chmod(target, 0o600);
  return true;
}

/**
 * `kmseal decrypt x.enc.yaml > x.yaml`, the sops habit: the shell has already created (and emptied)
 * the very file decrypt would write and made it stdout. Then the plaintext goes to stdout, and that
 * file is narrowed to 0600 as decrypt's own file would be.
 */
export async function stdoutIsTarget(target: string): Promise<boolean> {
  let out;
  try {
    out = fstatSync(1);
  } catch {
    return false; // no stdout at all
  }
  if (!out.isFile()) return false;
  const st = await stat(target).catch(() => null);
  if (st === null || st.dev !== out.dev || st.ino !== out.ino) return false;
  if ((out.mode & 0o777) !== 0o600) fchmodSync(1, 0o600);
  return true;
}
