/**
 * The merge driver: `merge.kmseal.driver` = `kmseal merge %O %A %B %P` (ops/merge.ts merges key by
 * key), and git's own line merge (git.ts `mergeFile`) for files with an encrypted name that are not
 * encrypted.
 */
import { installDriver, uninstallDriver, type DriverResult, type DriverSpec, type InstallOptions } from "./driver.js";

export const MERGE_DRIVER: DriverSpec = {
  kind: "merge",
  installer: "kmseal merge-driver",
  config: (kmseal) => ({ name: "kmseal: key-by-key merge of encrypted files", driver: `${kmseal} merge %O %A %B %P` }),
};

export function installMergeDriver(cwd: string, projectRoot: string | null, opts: InstallOptions = {}): Promise<DriverResult> {
  return installDriver(cwd, projectRoot, MERGE_DRIVER, opts);
}

export function uninstallMergeDriver(cwd: string, projectRoot: string | null): Promise<DriverResult> {
  return uninstallDriver(cwd, projectRoot, MERGE_DRIVER);
}
