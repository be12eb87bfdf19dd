/** Finding files that hold plaintext they should not: the leak and crash tests' last check. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file under `dirs`, as paths relative to `base`. */
export function filesUnder(base: string, ...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(base, p));
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** The files (other than `allowed`) whose bytes contain one of `secrets`. */
export function filesWithSecrets(base: string, files: readonly string[], allowed: readonly string[], secrets: readonly string[]): string[] {
  return files.filter((f) => !allowed.includes(f) && secrets.some((s) => readFileSync(join(base, f)).includes(s)));
}
