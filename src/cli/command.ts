/** What every command module receives: the process surface and a way to set the exit status. */
import type { Argv } from "yargs";
import type { Io } from "./io.js";

export interface Ctx {
  readonly io: Io;
  exitCode: number;
}

export type CommandDef = (y: Argv, ctx: Ctx) => Argv;
