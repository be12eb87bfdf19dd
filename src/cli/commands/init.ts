import { init } from "../../ops/init.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

interface InitArgs extends GlobalArgs {
  path?: string[];
  kms?: string[];
  age?: string[];
  update?: boolean;
}

export function initAction(argv: Args, ctx: Ctx): void {
  const a = argv as InitArgs;
  const r = init({ paths: a.path, kms: a.kms, age: a.age, update: a.update });
  if (r.kmsrcWritten) {
    ctx.io.stdout.write(`${r.kmsrc}\n`);
    if (!a.quiet)
      ctx.io.stderr.write(`kmseal: wrote ${r.kmsrc}${r.gitignoreChanged ? ` and the plaintext names to ${r.gitignore}` : ""}; next: kmseal hook install\n`);
  } else {
    ctx.io.stdout.write(`${r.gitignore}\n`);
    if (!a.quiet)
      ctx.io.stderr.write(
        `kmseal: ${r.gitignoreChanged ? `updated the kmseal lines in ${r.gitignore}` : `${r.gitignore} already lists the plaintext names of every rule`}\n`,
      );
  }
}
