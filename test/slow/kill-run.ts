/** Spawning the built CLI and killing it with SIGKILL after a delay, for the crash-safety suite. */
import { spawn } from "node:child_process";
import { KMSEAL_BIN } from "../peers/harness/paths.js";

export interface KillResult {
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `node dist/kmseal.js ARGS`; kills it with SIGKILL after `killAfterMs` (never, when undefined). */
export function runAndKill(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string>; killAfterMs?: number; input?: string },
): Promise<KillResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KMSEAL_BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    let killed = false;
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
    const killer = opts.killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill("SIGKILL")), opts.killAfterMs);
    // Nothing here may hang the suite: a run that outlives 30 s is killed and reported.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      clearTimeout(guard);
      resolve({ killed: killed && signal === "SIGKILL", code, stderr, ms: Date.now() - started });
    });
  });
}
