/**
 * A key command (`KMSEAL_AGE_KEY_CMD`, sops's `SOPS_AGE_KEY_CMD`): a program whose standard output
 * holds age identities, e.g. a password manager's CLI. As sops does, the variable is split into
 * words with shell-like quoting and run without a shell, with `SOPS_AGE_RECIPIENT` naming the
 * recipient being unwrapped (sops 3.12+). The variable comes from the user's environment only,
 * never from a repository's configuration: it is code.
 */
import { spawn } from "node:child_process";
import { KmsealError } from "../../core/errors.js";

export type Env = Readonly<Record<string, string | undefined>>;

const MAX_OUTPUT = 1024 * 1024;

/**
 * Words of a command line, split as sops splits SOPS_AGE_KEY_CMD (github.com/google/shlex): space,
 * tab, CR and LF separate words; single quotes keep everything literally; inside double quotes a
 * backslash takes the next character literally; outside quotes too; `#` where a word would start
 * comments out the rest of the line. Throws on an unterminated quote or a trailing backslash.
 */
export function splitCommand(line: string): string[] {
  const blank = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (blank(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "#" && word === null) {
      const end = line.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("a backslash ends the command");
      word = (word ?? "") + line[++i]!;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated single quote");
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let out = "";
      for (i++; ; i++) {
        if (i >= line.length) throw new Error("unterminated double quote");
        const d = line[i]!;
        if (d === '"') break;
        if (d === "\\") {
          if (i + 1 >= line.length) throw new Error("unterminated double quote");
          out += line[++i]!;
        } else out += d;
      }
      word = (word ?? "") + out;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The variable that names a key command, if any: kmseal's first, then sops's. */
export function keyCommandVariable(env: Env, names: readonly string[] = ["KMSEAL_AGE_KEY_CMD", "SOPS_AGE_KEY_CMD"]): { name: string; command: string } | null {
  for (const name of names) {
    const command = env[name];
    if (command !== undefined && command.trim() !== "") return { name, command };
  }
  return null;
}

/** Runs the command and returns its standard output (the identities: kept in memory only). */
export async function runKeyCommand(variable: { name: string; command: string }, env: Env, recipient: string): Promise<string> {
  let argv: string[];
  try {
    argv = splitCommand(variable.command);
  } catch (err) {
    throw new KmsealError("usage", `${variable.name} cannot be split into words: ${(err as Error).message}`, { hint: "quote it as for a POSIX shell" });
  }
  const [program, ...args] = argv;
  if (program === undefined) throw new KmsealError("usage", `${variable.name} is empty`);
  return new Promise((resolve, reject) => {
    // stdin stays the terminal's or nothing: the command may prompt (through /dev/tty), and its
    // stderr reaches the user; its stdout is the identities and is never echoed.
    const child = spawn(program, args, { env: { ...env, SOPS_AGE_RECIPIENT: recipient }, stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        child.kill();
        return;
      }
      chunks.push(chunk);
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(
        new KmsealError("key", `${variable.name}: cannot run ${program}: ${err.code === "ENOENT" ? "no such program" : (err.code ?? err.message)}`, {
          hint: `fix or unset ${variable.name}`,
        }),
      );
    });
    child.on("close", (code, signal) => {
      const out = Buffer.concat(chunks);
      if (size > MAX_OUTPUT)
        reject(new KmsealError("key", `${variable.name}: ${program} printed more than 1 MiB`, { hint: "it should print age identities only" }));
      else if (code !== 0)
        reject(
          new KmsealError("key", `${variable.name}: ${program} failed (${signal ?? `exit status ${code}`})`, {
            hint: `run it yourself to see why, or unset ${variable.name}`,
          }),
        );
      else resolve(out.toString("utf8"));
      out.fill(0);
    });
  });
}
