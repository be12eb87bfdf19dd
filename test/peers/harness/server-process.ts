import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";

/**
 * Long-running peer servers, each in its own process group so that stopping it also stops anything
 * it forked. Every server is started under a small sh watchdog that kills the group when its stdin
 * closes, so the servers die with the test process even if that process is killed with SIGKILL.
 */

const WATCHDOG = '"$@" </dev/null & read -r _; kill -TERM 0';

export interface ServerProcess {
  readonly name: string;
  /** Process group id (the watchdog's pid). */
  readonly pgid: number;
  /** stdout and stderr seen so far, for readiness checks and failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, or rejects on exit/timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

const started = new Set<StartedServer>();

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StartedServer implements ServerProcess {
  readonly pgid: number;
  private text = "";
  private exited = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
    this.pgid = child.pid;
    const append = (chunk: Buffer) => {
      this.text += chunk.toString("utf8");
      for (const l of this.listeners) l();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    child.on("exit", () => {
      this.exited = true;
      for (const l of this.listeners) l();
    });
  }

  output(): string {
    return this.text;
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        // eslint-disable-next-line no-control-regex -- strips ANSI colour escapes, which begin with the ESC control character
        const m = this.text.replace(/\x1b\[[0-9;]*m/g, "").match(pattern);
        if (m) {
          done(() => {
            resolve(m);
          });
          return;
        }
        if (this.exited) {
          done(() => {
            reject(new Error(`${this.name} exited before it was ready:\n${this.text}`));
          });
          return;
        }
      };
      const timer = setTimeout(() => {
        done(() => {
          reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.text}`));
        });
      }, timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        f();
      };
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.child.stdin?.end();
    signalGroup(this.pgid, "SIGTERM");
    for (let i = 0; i < 50 && groupAlive(this.pgid); i++) await sleep(100);
    if (groupAlive(this.pgid)) signalGroup(this.pgid, "SIGKILL");
    for (let i = 0; i < 20 && groupAlive(this.pgid); i++) await sleep(50);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    started.delete(this);
  }

  killNow(): void {
    signalGroup(this.pgid, "SIGKILL");
  }
}

/** Starts `command args` in a new process group under the watchdog. */
export function startServer(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): ServerProcess {
  const child = spawn("/bin/sh", ["-c", WATCHDOG, "sh", command, ...args], {
    env,
    cwd,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const server = new StartedServer(name, child);
  started.add(server);
  return server;
}

/** Stops every server this process started. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...started].map((s) => s.stop()));
}

/** Process groups started by this process that still have a live member (should be empty). */
export function survivingGroups(pgids: readonly number[]): number[] {
  return pgids.filter(groupAlive);
}

// Last resort when a test file exits without its after() hooks having run.
process.once("exit", () => {
  for (const s of started) s.killNow();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const s of started) s.killNow();
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });
}
