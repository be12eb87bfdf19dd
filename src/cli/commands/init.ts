import type { Argv } from "yargs";
import { init } from "../../ops/init.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";
import { repeatable } from "../options.js";

interface Args extends GlobalArgs {
  path?: string[];
  kms?: string[];
  age?: string[];
  update?: boolean;
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
        .option("update", { type: "boolean", describe: "keep .kmsrc and bring the .gitignore lines up to date with its rules (after adding a rule)" })
        .example("kmseal init --kms alias/my-app --path 'config/prod/**'", "")
        .example("kmseal init --update", "after editing the rules in .kmsrc"),
    (argv) => {
      const a = argv as unknown as Args;
      const r = init({ paths: a.path, kms: a.kms, age: a.age, update: a.update });
      if (r.kmsrcWritten) {
        ctx.io.stdout.write(`${r.kmsrc}\n`);
        if (!a.quiet) ctx.io.stderr.write(`kmseal: wrote ${r.kmsrc}${r.gitignoreChanged ? ` and the plaintext names to ${r.gitignore}` : ""}; next: kmseal hook install\n`);
      } else {
        ctx.io.stdout.write(`${r.gitignore}\n`);
        if (!a.quiet) ctx.io.stderr.write(`kmseal: ${r.gitignoreChanged ? `updated the kmseal lines in ${r.gitignore}` : `${r.gitignore} already lists the plaintext names of every rule`}\n`);
      }
    },
  );
}
