/** What every command action receives: its parsed arguments, the process surface and a way to set the exit status. */
import type { Io } from "./io.js";

export interface Ctx {
  readonly io: Io;
  exitCode: number;
}

/** A command's body; its arguments come from args.ts, under the long names of the command's table. */
export type Action = (args: Record<string, unknown>, ctx: Ctx) => Promise<void> | void;
