import type { Argv } from "yargs";
import { init } from "../../ops/init.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { repeatable } from "../options.js";

interface Args extends GlobalArgs {
  path?: string[];
  kms?: string[];
  age?: string[];
}

export function initCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "init",
    "Write a commented starter .kmsrc here and add its plaintext files to .gitignore",
    (b) =>
      b
        .option("path", repeatable('a rule glob (repeatable; default: "secrets/**" and "**/{.env,.env.*}")'))
        .option("kms", repeatable("KMS key for the rules (repeatable)"))
        .option("age", repeatable("age recipient for the rules (repeatable)"))
        .example("kmseal init --kms alias/my-app --path 'config/prod/**'", ""),
    (argv) => {
      const a = argv as unknown as Args;
      const r = init({ paths: a.path, kms: a.kms, age: a.age });
      ctx.io.stdout.write(`${r.kmsrc}\n`);
      if (!a.quiet) ctx.io.stderr.write(`kmseal: wrote ${r.kmsrc}${r.gitignoreChanged ? ` and the plaintext names to ${r.gitignore}` : ""}; next: kmseal hook install\n`);
    },
  );
}
