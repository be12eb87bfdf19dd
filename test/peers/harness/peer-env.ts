import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DUMMY_CREDENTIALS, REGION } from "./kms-server.js";
import type { KmsServer } from "./kms-server.js";
import { PEERS_BIN } from "./paths.js";
import { makeTempDir } from "./temp-dirs.js";

/** A loopback port nothing listens on (the discard port). */
export const DEAD_ENDPOINT = "http://127.0.0.1:9";

/**
 * The environment kmseal and sops run with against an emulator. It is built from scratch, not
 * inherited, so a developer's AWS profile, proxy settings or age keys never leak into a test: the
 * home, XDG and AWS config locations all point into a fresh temp dir.
 */
export function env(server: KmsServer | undefined, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const home = makeTempDir("home");
  const dirs = { config: join(home, ".config"), cache: join(home, ".cache"), data: join(home, ".local/share"), state: join(home, ".local/state") };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const base: Record<string, string> = {
    PATH: `${PEERS_BIN}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
    HOME: home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    XDG_DATA_HOME: dirs.data,
    XDG_STATE_HOME: dirs.state,
    TMPDIR: home,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    CI: "true",
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    // sops only checks for updates in `--version`, but never let it reach the network.
    SOPS_DISABLE_VERSION_CHECK: "1",
  };
  // Without a server every AWS endpoint is a closed loopback port, so nothing can reach real AWS.
  const endpoint = server?.url ?? DEAD_ENDPOINT;
  base["AWS_ENDPOINT_URL"] = endpoint;
  base["AWS_ENDPOINT_URL_KMS"] = endpoint;
  base["AWS_ENDPOINT_URL_STS"] = endpoint;
  return { ...base, ...extra };
}
