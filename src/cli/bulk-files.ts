/**
 * `--all`: the files a command works on when the user names none: every file a `.kmsrc` rule covers,
 * found from the project root (the `.kmsrc` above the working directory, or --config).
 */
import { relative } from "node:path";
import { UsageError } from "../core/errors.js";

export async function filesFor(
  kind: "plaintext" | "encrypted",
  args: { files?: string[] | undefined; all?: boolean | undefined; config?: string | undefined },
): Promise<string[]> {
  const named = args.files ?? [];
  if (!args.all) {
    if (named.length === 0) throw new UsageError("name at least one file, or pass --all for every file the .kmsrc rules cover");
    return named;
  }
  // The .kmsrc reader (and the YAML parser) and fast-glob are loaded only here: named files never need them.
  const { findKmsrc, loadKmsrc } = await import("../config/kmsrc.js");
  const path = args.config ?? findKmsrc(process.cwd());
  if (path === null) throw new UsageError("--all needs a .kmsrc in this folder or above", { hint: "create one with `kmseal init`" });
  const { coveredFiles } = await import("../ops/inspect/files.js");
  const covered = await coveredFiles(loadKmsrc(path));
  const found = covered[kind].map((f) => relative(process.cwd(), f) || f);
  if (found.length === 0 && named.length === 0) throw new UsageError(`no ${kind} file is covered by the rules in ${path}`);
  return [...new Set([...named, ...found])];
}
