/**
 * The merge driver: `merge.kmseal.driver` = `kmseal merge %O %A %B %P` (ops/merge.ts merges key by
 * key), and git's own line merge for files with an encrypted name that are not encrypted.
 */
import { spawn } from "node:child_process";
import { UsageError } from "../core/errors.js";
import { installDriver, uninstallDriver, type DriverResult, type DriverSpec, type InstallOptions } from "./driver.js";

export const MERGE_DRIVER: DriverSpec = {
  kind: "merge",
  installer: "kmseal merge-driver",
  config: (kmseal) => ({ name: "kmseal: key-by-key merge of encrypted files", driver: `${kmseal} merge %O %A %B %P` }),
};

export function installMergeDriver(cwd: string, opts: InstallOptions = {}): Promise<DriverResult> {
  return installDriver(cwd, MERGE_DRIVER, opts);
}

export function uninstallMergeDriver(cwd: string): Promise<DriverResult> {
  return uninstallDriver(cwd, MERGE_DRIVER);
}

/**
 * `git merge-file`: git's line merge of plain text, result (with conflict markers) in `ours`.
 * Resolves to 0 when clean, 1 on conflicts.
 */
export function textMerge(ours: string, base: string, theirs: string, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn("git", ["merge-file", "-L", `${path} (ours)`, "-L", `${path} (base)`, "-L", `${path} (theirs)`, ours, base, theirs], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", (e) => fail(new UsageError(`cannot run git merge-file: ${e.message}`)));
    child.on("close", (code) => {
      if (code === null || code < 0 || code > 127) fail(new UsageError("git merge-file failed"));
      else done(code === 0 ? 0 : 1);
    });
  });
}
