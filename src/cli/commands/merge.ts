import { dirname, resolve } from "node:path";
import type { Argv } from "yargs";
import { findKmsrc } from "../../config/kmsrc.js";
import { KmsealError } from "../../core/errors.js";
import { installMergeDriver, textMerge, uninstallMergeDriver } from "../../git/merge-driver.js";
import { mergeFiles } from "../../ops/merge/merge.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";
import { reportDriver } from "./diff-driver.js";

interface MergeArgs extends GlobalArgs {
  base: string;
  ours: string;
  theirs: string;
  path?: string;
  format?: Format;
}

/** Conflicts make the exit status 1, so git marks the file as conflicted and stops the merge. */
const CONFLICT = 1;

export function mergeDriverCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "merge-driver <action>",
    "Let git merge encrypted files key by key (.gitattributes lines and git config merge.kmseal.driver)",
    (b) =>
      b
        .positional("action", { type: "string", choices: ["install", "uninstall"] })
        .option("command", { type: "string", describe: "how git runs kmseal (default: ./node_modules/.bin/kmseal when present, else kmseal)" })
        .example("kmseal merge-driver install", "two branches that change different secrets of one file now merge cleanly"),
    async (argv) => {
      const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall"; command?: string };
      const r = a.action === "install" ? await installMergeDriver(process.cwd(), { command: a.command }) : await uninstallMergeDriver(process.cwd());
      reportDriver(ctx.io, a.quiet, "kmseal merge driver", r);
    },
  );
}

export function mergeCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "merge <base> <ours> <theirs> [path]",
    "git's merge driver (%O %A %B %P): merge three versions of an encrypted file key by key into OURS, re-encrypted; exit 1 on conflicts, which are named by key path and marked inside the encrypted values",
    (b) =>
      formatOption(b)
        .positional("base", { type: "string", describe: "the common ancestor (%O)" })
        .positional("ours", { type: "string", describe: "our version, replaced by the result (%A)" })
        .positional("theirs", { type: "string", describe: "their version (%B)" })
        .positional("path", { type: "string", describe: "the file's path in the work tree (%P), for its format and messages" }),
    async (argv) => {
      const a = argv as unknown as MergeArgs;
      const path = a.path ?? a.ours;
      const config = a.config ?? findKmsrc(dirname(resolve(path))) ?? undefined;
      let outcome;
      try {
        outcome = await mergeFiles({ base: a.base, ours: a.ours, theirs: a.theirs, path }, servicesFor({ ...a, config, input: false, driver: true }, ctx.io), { format: a.format });
      } catch (err) {
        // The temporary names git passes mean nothing to people; the real path does.
        if (err instanceof KmsealError) {
          err.file = path;
          err.hint ??= `nothing was written; resolve by hand: git checkout --ours ${path} (or --theirs), or change it with \`kmseal edit ${path}\`, then git add ${path}`;
        }
        throw err;
      }
      if (outcome.kind === "plaintext") {
        ctx.exitCode = await textMerge(a.ours, a.base, a.theirs, path);
        return;
      }
      if (outcome.kind === "merged") return;
      const say = (line: string) => ctx.io.stderr.write(`kmseal: ${path}: ${line}\n`);
      for (const p of outcome.problems) say(p);
      if (outcome.keyPaths.length > 0) {
        say(`conflict: changed differently on both sides: ${outcome.keyPaths.join(", ")}`);
        say("each of these values now holds both versions between <<<<<<< ours / ======= / >>>>>>> theirs lines, encrypted (nothing was written in plaintext)");
      }
      say(`resolve with \`kmseal edit ${path}\` (git diff shows the markers), then \`git add ${path}\``);
      ctx.exitCode = CONFLICT;
    },
  );
}
