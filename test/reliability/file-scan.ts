/** Finding files that hold plaintext they should not: the leak and crash tests' last check. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file under `dirs`, as paths relative to `base`. */
export function filesUnder(base: string, ...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const stat = unlessGone(() => statSync(p));
      if (stat === undefined) continue;
      if (stat.isDirectory()) walk(p);
      else out.push(relative(base, p));
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** The files (other than `allowed`) whose bytes contain one of `secrets`. */
export function filesWithSecrets(base: string, files: readonly string[], allowed: readonly string[], secrets: readonly string[]): string[] {
  return files.filter((f) => {
    if (allowed.includes(f)) return false;
    const bytes = unlessGone(() => readFileSync(join(base, f)));
    return bytes !== undefined && secrets.some((s) => bytes.includes(s));
  });
}

/**
 * The result of `read`, or undefined when the file has gone since it was listed: a killed
 * process's temp file is removed by its watcher while the crash tests scan the folder, and a file
 * that no longer exists holds nothing (the scans run again until the folder is settled).
 */
function unlessGone<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
