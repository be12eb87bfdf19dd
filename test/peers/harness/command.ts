import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { KMSEAL_BIN } from "./paths.js";

/** The result of one short-lived command (kmseal, sops, age). */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly input?: string | Uint8Array;
  readonly timeoutMs?: number;
}

/** Runs a command without a shell; stdin is closed (or carries `input`), like CI with no terminal. */
export function runCommand(command: string, args: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.on("error", () => {}); // the command may exit without reading its input
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs the built kmseal CLI (`node dist/kmseal.js ...`). */
export function kmseal(args: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  if (!existsSync(KMSEAL_BIN)) throw new Error(`${KMSEAL_BIN} does not exist: run npm run build`);
  return runCommand(process.execPath, [KMSEAL_BIN, ...args], opts);
}

/** A one-line description of a result for assertion messages (stdout omitted: it may be plaintext). */
export function describeResult(what: string, r: CommandResult): string {
  return `${what}: exit ${r.code ?? r.signal}; stderr: ${r.stderr.trim() || "(empty)"}`;
}
