/**
 * The controlling terminal, opened through /dev/tty so a prompt works even when stdin carries data
 * and stdout is redirected: the question and the typed answer stay on the terminal, never on stdout.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import tty from "node:tty";

export interface Terminal {
  /** Writes `question` to the terminal and resolves with the line typed (without the newline). */
  ask(question: string): Promise<string>;
}

/** Opens a terminal on demand; undefined when the process has none (CI, cron, a detached daemon). */
export type TerminalOpener = () => Terminal | undefined;

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

async function askOnTty(question: string): Promise<string> {
  const fd = openSync("/dev/tty", "r+");
  // tty.ReadStream owns the descriptor and closes it when destroyed.
  const input = new tty.ReadStream(fd);
  try {
    writeSync(fd, question);
    return await readLine(input);
  } finally {
    input.destroy();
  }
}

function readLine(input: tty.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      buffered += chunk;
      const end = buffered.search(/\r?\n/);
      if (end >= 0) resolve(buffered.slice(0, end));
    });
    input.on("end", () => {
      resolve(buffered);
    });
    input.on("error", reject);
  });
}
