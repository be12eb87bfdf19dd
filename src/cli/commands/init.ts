import { init } from "../../ops/init.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

interface InitArgs extends GlobalArgs {
  path?: string[];
  kms?: string[];
  age?: string[];
  update?: boolean;
  "from-sops"?: boolean;
}

export function initAction(argv: Args, ctx: Ctx): void {
  const a = argv as InitArgs;
  // --config names the .sops.yaml to read, as it does for sops.
  const fromSops = a["from-sops"] === true ? (a.config ?? true) : undefined;
  const r = init({ paths: a.path, kms: a.kms, age: a.age, update: a.update, fromSops });
  if (r.fromSops !== undefined) {
    ctx.io.stdout.write(`${r.kmsrc}\n`);
    const lost = r.fromSops.notCarried;
    // What was not carried over is said even with --quiet: it changes who can read the files.
    ctx.io.stderr.write(
      `kmseal: wrote ${r.kmsrc} from ${r.fromSops.file}${r.gitignoreChanged ? ` and updated ${r.gitignore}` : ""}; ` +
        (lost.length === 0 ? "everything was carried over\n" : `not carried over:\n${lost.map((l) => `  - ${l}\n`).join("")}`) +
        r.fromSops.notes.map((n) => `kmseal: note: ${n}\n`).join(""),
    );
  } else if (r.kmsrcWritten) {
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
