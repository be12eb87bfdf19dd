/** A committed corpus folder copied to a temp folder, and snapshots that show whether anything was written. */
import { cpSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { testdir } from "../helpers/testdir.js";

export function copyCorpus(name: string): string {
  const dir = testdir();
  cpSync(join(process.cwd(), "fixtures", name), dir, { recursive: true });
  return dir;
}

/** Every file under `dir` with its size, mode, mtime and bytes, so any write shows up as a difference. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(relative(dir, p), `${st.size}:${st.mode.toString(8)}:${st.mtimeMs}:${readFileSync(p).toString("base64")}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** Names of files added, removed or changed between two snapshots. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}
