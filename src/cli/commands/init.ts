import { init } from "../../ops/init.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

interface InitArgs extends GlobalArgs {
  path?: string[];
  kms?: string[];
  age?: string[];
}

export function initAction(argv: Args, ctx: Ctx): void {
  const a = argv as InitArgs;
  const r = init({ paths: a.path, kms: a.kms, age: a.age });
  ctx.io.stdout.write(`${r.kmsrc}\n`);
  if (!a.quiet) ctx.io.stderr.write(`kmseal: wrote ${r.kmsrc}${r.gitignoreChanged ? ` and the plaintext names to ${r.gitignore}` : ""}; next: kmseal hook install\n`);
}
