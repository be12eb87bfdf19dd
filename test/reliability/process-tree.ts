/** What `ps` would show: the command lines of a process and its descendants (Linux /proc). */
import { readdirSync, readFileSync } from "node:fs";

function parentOf(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; the parent pid is the 2nd field after it.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/** Command lines (NUL-separated arguments joined by spaces) of `root` and every descendant alive now. */
export function commandLines(root: number): string[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(name);
    if (parent !== null) parents.set(Number(name), parent);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  const lines: string[] = [];
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      // ended meanwhile
    }
  }
  return lines;
}
