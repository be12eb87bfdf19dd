/**
 * The diff driver: `git diff`, `git log -p` and `git show` print encrypted files decrypted, through
 * `diff.kmseal.textconv` = `kmseal textconv`. `cachetextconv` is deliberately not set: git would
 * store the decrypted text in the repository (refs/notes/textconv/kmseal).
 */
import { installDriver, uninstallDriver, type DriverResult, type DriverSpec, type InstallOptions } from "./driver.js";

export const DIFF_DRIVER: DriverSpec = {
  kind: "diff",
  installer: "kmseal diff-driver",
  config: (kmseal) => ({ textconv: `${kmseal} textconv` }),
};

export function installDiffDriver(cwd: string, projectRoot: string | null, opts: InstallOptions = {}): Promise<DriverResult> {
  return installDriver(cwd, projectRoot, DIFF_DRIVER, opts);
}

export function uninstallDiffDriver(cwd: string, projectRoot: string | null): Promise<DriverResult> {
  return uninstallDriver(cwd, projectRoot, DIFF_DRIVER);
}
