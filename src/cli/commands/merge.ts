import { dirname, resolve } from "node:path";
import { findKmsrc } from "../../config/kmsrc.js";
import { KmsealError } from "../../core/errors.js";
import { mergeFile } from "../../git/git.js";
import { installMergeDriver, uninstallMergeDriver } from "../../git/merge-driver.js";
import { mergeFiles } from "../../ops/merge/merge.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";
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

export async function mergeDriverAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall"; command?: string };
  const kmsrc = findKmsrc(process.cwd());
  const root = kmsrc === null ? null : dirname(kmsrc);
  const r = a.action === "install" ? await installMergeDriver(process.cwd(), root, { command: a.command }) : await uninstallMergeDriver(process.cwd(), root);
  reportDriver(ctx.io, a.quiet, "kmseal merge driver", r);
}

export async function mergeAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as MergeArgs;
  const path = a.path ?? a.ours;
  const config = a.config ?? findKmsrc(dirname(resolve(path))) ?? undefined;
  let outcome;
  try {
    outcome = await mergeFiles({ base: a.base, ours: a.ours, theirs: a.theirs, path }, servicesFor({ ...a, config, input: false, driver: true }, ctx.io), {
      format: a.format,
      configPath: config,
    });
  } catch (err) {
    // The temporary names git passes mean nothing to people; the real path does.
    if (err instanceof KmsealError) {
      err.file = path;
      err.hint ??= `nothing was written; resolve by hand: git checkout --ours ${path} (or --theirs), or change it with \`kmseal edit ${path}\`, then git add ${path}`;
    }
    throw err;
  }
  if (outcome.kind === "plaintext") {
    ctx.exitCode = await mergeFile(a.ours, a.base, a.theirs, path);
    return;
  }
  if (outcome.kind === "merged") return;
  const say = (line: string) => ctx.io.stderr.write(`kmseal: ${path}: ${line}\n`);
  for (const p of outcome.problems) say(p);
  if (outcome.keyPaths.length > 0) {
    say(`conflict: changed differently on both sides: ${outcome.keyPaths.join(", ")}`);
    say("each of these values now holds both versions between <<<<<<< ours / ======= / >>>>>>> theirs lines, encrypted (nothing was written in plaintext)");
  }
  say("the conflict is recorded in the file: `kmseal check` fails and decrypt, exec and the loader refuse it until it is resolved");
  say(`resolve with \`kmseal edit ${path}\` (git diff shows the markers), then \`git add ${path}\``);
  ctx.exitCode = CONFLICT;
}
