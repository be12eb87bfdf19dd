/**
 * Runs a command with decrypted values in its environment. Nothing is written to disk; values
 * never reach the command line; signals reach the child; the child's exit status is returned.
 */
import { maskCommands } from "./env/actions-mask.js";
import { spawn } from "node:child_process";
import { UsageError } from "../core/errors.js";
import { loadEnvFiles, type EnvFileOptions } from "./env/values.js";
import type { KeyServices } from "./keys/services.js";

export interface ExecOptions extends EnvFileOptions {
  readonly override?: boolean | undefined;
  readonly shell?: boolean | undefined;
  /** Where GitHub Actions mask commands go (the runner reads them from stdout): the caller's stdout. */
  readonly maskSink: { write(s: string): unknown };
  /** Where the one line goes when the command cannot start (exit 127 or 126, as a shell reports it): the caller's stderr. */
  readonly errorSink: { write(s: string): unknown };
}

/** A shell's statuses for a command it could not run: not found, and found but not executable. */
const NOT_STARTED: Readonly<Record<string, readonly [number, string]>> = {
  ENOENT: [127, "command not found"],
  EACCES: [126, "permission denied"],
  EISDIR: [126, "is a directory"],
};

export async function execWith(files: readonly string[], command: readonly string[], opts: ExecOptions, services: KeyServices): Promise<number> {
  if (command.length === 0) throw new UsageError("name the command to run after --", { hint: "kmseal exec .env.enc -- node server.js" });
  const values = await loadEnvFiles(files, opts, services);
  const env: Record<string, string | undefined> = { ...services.env };
  for (const [k, v] of values) if (opts.override || env[k] === undefined) env[k] = v;
  if (services.env["GITHUB_ACTIONS"] === "true") {
    for (const v of values.values()) for (const command of maskCommands(v)) opts.maskSink.write(command);
  }
  const [cmd, ...args] = command as [string, ...string[]];
  const child = spawn(cmd, args, { env, stdio: "inherit", shell: opts.shell === true });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", (err) => {
        const known = NOT_STARTED[(err as NodeJS.ErrnoException).code ?? ""];
        if (known !== undefined) {
          opts.errorSink.write(`kmseal: exec: ${cmd}: ${known[1]}\n`);
          resolve(known[0]);
          return;
        }
        reject(new UsageError(`cannot run ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      child.on("exit", (code, signal) => {
        resolve(code ?? (signal !== null ? 128 + signalNumber(signal) : 1));
      });
    });
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}
