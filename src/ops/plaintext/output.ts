/** Where a command's result goes: stdout (null), `-o PATH`, the input itself (`-i`), or a derived sibling. */
import { UsageError } from "../../core/errors.js";

export interface TargetOptions {
  readonly output?: string | undefined;
  readonly inPlace?: boolean | undefined;
  readonly stdout?: boolean | undefined;
}

export function outputTarget(file: string, opts: TargetOptions, sibling: (file: string) => string): string | null {
  if (opts.stdout || opts.output === "-") return null;
  if (opts.output !== undefined) return opts.output;
  if (opts.inPlace) {
    if (file === "-") throw new UsageError("--in-place needs a file, not stdin");
    return file;
  }
  if (file === "-") return null;
  return sibling(file);
}
