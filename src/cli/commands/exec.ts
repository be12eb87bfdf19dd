import { execWith } from "../../ops/exec.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

interface ExecArgs extends GlobalArgs {
  files: string[];
  /** The command and its arguments, exactly as typed after `--`. */
  "--": string[];
  override?: boolean;
  strict?: boolean;
  shell?: boolean;
  as?: string;
  format?: Format;
}

export async function execAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as ExecArgs;
  ctx.exitCode = await execWith(
    a.files,
    a["--"],
    {
      override: a.override,
      strict: a.strict,
      shell: a.shell,
      as: a.as,
      format: a.format,
      configPath: a.config,
      maskSink: ctx.io.stdout,
      errorSink: ctx.io.stderr,
    },
    servicesFor(a, ctx.io),
  );
}
