/** The process surface a command may touch, injected so the CLI runs in-process in tests. */
export interface Io {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderrIsTTY: boolean;
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
