/** Runs the CLI in-process with captured output and an isolated environment. */
import { Readable } from "node:stream";
import { run } from "../../src/cli/main.js";
import { TEST_AGE_IDENTITY } from "./keys.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export async function cli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string | Buffer; cwd?: string; tty?: boolean } = {},
): Promise<CliResult> {
  const out: Buffer[] = [];
  let err = "";
  const previous = process.cwd();
  if (opts.cwd !== undefined) process.chdir(opts.cwd);
  try {
    const code = await run(args, {
      stdout: { write: (c: string | Uint8Array) => out.push(Buffer.from(c)) },
      stderr: { write: (c: string) => (err += c) },
      stdin: Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []),
      env: { HOME: "/nonexistent-home", KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, AWS_REGION: "us-east-1", ...opts.env },
      stderrIsTTY: opts.tty === true,
    });
    const stdoutBytes = Buffer.concat(out);
    return { code, stdout: stdoutBytes.toString("utf8"), stdoutBytes, stderr: err };
  } finally {
    if (opts.cwd !== undefined) process.chdir(previous);
  }
}
