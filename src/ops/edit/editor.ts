/**
 * The user's editor: `$VISUAL`, else `$EDITOR`, else `vi`, run as git runs it: through `sh -c` with
 * the file as `"$@"`, so the value means what it means to the user's shell and to git
 * (`code --wait`, `"/Applications/My Editor" -w`, `vim -c 'set nowrap'`), and the file's path is
 * never parsed as shell text. The editor gets the terminal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { UsageError } from "../../core/errors.js";

export function editorCommand(env: Readonly<Record<string, string | undefined>>): string {
  return [env["VISUAL"], env["EDITOR"]].find((v) => v !== undefined && v.trim() !== "") ?? "vi";
}

/**
 * The `sh -c` script. A simple command is `exec`ed so the shell gives its process to the editor:
 * the signals kmseal forwards (edit.ts) then reach the editor itself, not a shell that would die and
 * leave the editor running. A compound one (`a; b`, `a | b`) runs as git runs it.
 */
export function editorScript(command: string): string {
  const compound = /[;&|<>()`\n]|\$\(/.test(command);
  return `${compound ? "" : "exec "}${command} "$@"`;
}

export interface RunningEditor {
  readonly child: ChildProcess;
  /** Resolves when the editor has ended; rejects with a UsageError when it failed or was killed. */
  readonly done: Promise<void>;
}

const HINT = "set VISUAL or EDITOR to an editor that is installed";

export function startEditor(command: string, file: string, env: Readonly<Record<string, string | undefined>>): RunningEditor {
  // $0 is the command, as git sets it: the shell names it in its own messages.
  const child = spawn("/bin/sh", ["-c", editorScript(command), command, file], { stdio: "inherit", env: { ...env } });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err) => {
      reject(new UsageError(`cannot start the editor ${command}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { hint: HINT }));
    });
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      // The shell's statuses for a command it could not find (127) or run (126).
      else if (code === 127 || code === 126)
        reject(new UsageError(`cannot start the editor ${command}: ${code === 127 ? "not found" : "not executable"}`, { hint: HINT }));
      else reject(new UsageError(signal !== null ? `the editor was ended by ${signal}` : `the editor exited with status ${code ?? "?"}`));
    });
  });
  return { child, done };
}
