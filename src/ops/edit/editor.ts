/**
 * The user's editor: `$VISUAL`, else `$EDITOR`, else `vi`, split into words as a shell would
 * (`code --wait`, `"/Applications/My Editor" -w`) but run without a shell, with the terminal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { UsageError } from "../../core/errors.js";

export function editorCommand(env: Readonly<Record<string, string | undefined>>): string[] {
  const raw = [env["VISUAL"], env["EDITOR"]].find((v) => v !== undefined && v.trim() !== "") ?? "vi";
  const words = shellWords(raw);
  if (words.length === 0) throw new UsageError("the editor command is empty", { hint: "set EDITOR, e.g. EDITOR=vi or EDITOR='code --wait'" });
  return words;
}

/** Words of a command line: blanks separate, quotes group, backslash escapes (POSIX shell rules, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new UsageError("the editor command has an unclosed ' quote");
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1]!)) i++;
        word += line[i];
      }
      if (i >= line.length) throw new UsageError('the editor command has an unclosed " quote');
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

export interface RunningEditor {
  readonly child: ChildProcess;
  /** Resolves when the editor has ended; rejects with a UsageError when it failed or was killed. */
  readonly done: Promise<void>;
}

export function startEditor(command: readonly string[], file: string, env: Readonly<Record<string, string | undefined>>): RunningEditor {
  const [cmd, ...args] = command as [string, ...string[]];
  const child = spawn(cmd, [...args, file], { stdio: "inherit", env: { ...env } });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err) => reject(new UsageError(`cannot start the editor ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { hint: "set VISUAL or EDITOR to an editor that is installed" })));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new UsageError(signal !== null ? `the editor was ended by ${signal}` : `the editor exited with status ${code ?? "?"}`));
    });
  });
  return { child, done };
}
