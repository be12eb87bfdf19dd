/**
 * Questions an age plugin asks the user (a YubiKey PIN, "touch the key?"), on the controlling
 * terminal through /dev/tty, so stdin and stdout stay the data's. A secret is read without echo.
 * There is no answer (null) without a terminal, under CI, or when the user presses Ctrl-C or Ctrl-D.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import tty from "node:tty";

export type Env = Readonly<Record<string, string | undefined>>;

export async function askOnTerminal(question: string, opts: { hidden: boolean; env: Env }): Promise<string | null> {
  const ci = opts.env["CI"];
  if (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0") return null;
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return null;
  }
  if (!tty.isatty(fd)) {
    closeSync(fd);
    return null;
  }
  // tty.ReadStream owns the descriptor and closes it when destroyed.
  const input = new tty.ReadStream(fd);
  try {
    // Echo goes off before the question shows, so an answer typed at once is never echoed.
    if (opts.hidden) input.setRawMode(true);
    writeSync(fd, question);
    return await readAnswer(input, opts.hidden);
  } finally {
    if (opts.hidden) {
      input.setRawMode(false);
      writeSync(fd, "\n");
    }
    input.destroy();
  }
}

function readAnswer(input: tty.ReadStream, raw: boolean): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let typed = "";
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      for (const c of chunk) {
        if (c === "\r" || c === "\n") {
          resolve(typed);
          return;
        }
        if (raw && (c === "\x03" || (c === "\x04" && typed === ""))) {
          resolve(null);
          return;
        }
        if (raw && (c === "\x7f" || c === "\b"))
          typed = Array.from(new Intl.Segmenter().segment(typed), (g) => g.segment)
            .slice(0, -1)
            .join("");
        else typed += c;
      }
    });
    input.on("end", () => {
      resolve(null);
    });
    input.on("error", reject);
  });
}
