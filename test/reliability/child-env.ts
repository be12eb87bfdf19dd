/** The environment for a spawned `node dist/kmseal.js`: built from scratch, test age identity, no AWS. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TEST_AGE_IDENTITY } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

export function childEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const home = testdir();
  const tmp = join(home, "tmp");
  mkdirSync(tmp);
  return {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: home,
    TMPDIR: tmp,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    CI: "true",
    KMSEAL_AGE_KEY: TEST_AGE_IDENTITY,
    AWS_EC2_METADATA_DISABLED: "true",
    // Nothing may reach real AWS: every endpoint is a closed loopback port.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_REGION: "us-east-1",
    ...extra,
  };
}

/** The error line format of cli.md: `kmseal: FILE[:LINE:COL]: message`. */
export function firstLine(stderr: string): string {
  return stderr.split("\n")[0] ?? "";
}
