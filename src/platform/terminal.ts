/**
 * The controlling terminal, opened through /dev/tty so a prompt works even when stdin carries data
 * and stdout is redirected: the question and the typed answer stay on the terminal, never on stdout.
 * A question is asked visibly (an MFA code, a plugin's confirmation) or hidden, without echo, for a
 * secret (a PIN, the value `kmseal set` stores). The one owner of every prompt kmseal shows.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import tty from "node:tty";

export interface AskOptions {
  /** Read without echo (raw mode): nothing typed appears on the terminal. */
  readonly hidden?: boolean;
}

export interface Terminal {
  /**
   * Writes `question` to the terminal and resolves with the line typed (without the line break), or
   * null when the user gave none: Ctrl-C or Ctrl-D on a hidden prompt, end of input on either.
   */
  ask(question: string, opts?: AskOptions): Promise<string | null>;
}

/** Opens a terminal on demand; undefined when the process has none (CI, cron, a detached daemon). */
export type TerminalOpener = () => Terminal | undefined;

/** CI=true (any value but "", "false" and "0"): nobody is there to answer a prompt. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env["CI"]?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

export const openTty: TerminalOpener = () => {
  let probe: number;
  try {
    probe = openSync("/dev/tty", "r+");
  } catch {
    return undefined;
  }
  const isTty = tty.isatty(probe);
  closeSync(probe);
  return isTty ? { ask: askOnTty } : undefined;
};

async function askOnTty(question: string, opts: AskOptions = {}): Promise<string | null> {
  const hidden = opts.hidden === true;
  const fd = openSync("/dev/tty", "r+");
  // tty.ReadStream owns the descriptor and closes it when destroyed.
  const input = new tty.ReadStream(fd);
  try {
    // Echo goes off before the question shows, so an answer typed at once is never echoed.
    if (hidden) input.setRawMode(true);
    writeSync(fd, question);
    return await readAnswer(input, hidden);
  } finally {
    if (hidden) {
      input.setRawMode(false);
      // Enter was not echoed either: end the question's line.
      writeSync(fd, "\n");
    }
    input.destroy();
  }
}

/**
 * The first line `input` carries. `raw`: the terminal's line editing is off, so the keys it would
 * handle are handled here: Enter ends the line, Ctrl-C and Ctrl-D (on an empty line) cancel,
 * Backspace removes one grapheme and Ctrl-U the whole line. Exported for tests.
 */
export function readAnswer(input: NodeJS.ReadableStream, raw: boolean): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let typed = "";
    let done = false;
    const finish = (answer: string | null): void => {
      if (done) return;
      done = true;
      resolve(answer);
    };
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      for (const c of chunk) {
        if (done) return;
        if (c === "\r" || c === "\n") finish(typed);
        else if (!raw) typed += c;
        else if (c === "\x03" || (c === "\x04" && typed === "")) finish(null);
        else if (c === "\x7f" || c === "\b")
          typed = Array.from(new Intl.Segmenter().segment(typed), (g) => g.segment)
            .slice(0, -1)
            .join("");
        else if (c === "\x15") typed = "";
        // Other control characters (Ctrl-D on a non-empty line, Escape) are no part of an answer.
        else if (c === "\t" || c >= " ") typed += c;
      }
    });
    input.on("end", () => {
      finish(null);
    });
    input.on("error", reject);
  });
}
