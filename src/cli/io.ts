import type { TerminalOpener } from "../platform/terminal.js";

/** The process surface a command may touch, injected so the CLI runs in-process in tests. */
export interface Io {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderrIsTTY: boolean;
  /**
   * Where a prompt is asked; tests put a fake here. Unset: the controlling terminal (platform/terminal.ts
   * `openTty`), loaded only by the command that prompts, so no other command pays for node:tty.
   */
  readonly terminal?: TerminalOpener;
}

/** Getters: Node builds each stdio stream on first access, and most commands never touch stdin. */
export function processIo(): Io {
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    get stderrIsTTY() {
      return process.stderr.isTTY;
    },
  };
}
