import { join } from "node:path";
import { ACCOUNT_ID, REGION, adminClient, portFrom, waitUntilAnswering } from "./kms-server.js";
import type { KmsServer } from "./kms-server.js";
import { startServer } from "./server-process.js";
import { makeTempDir } from "./temp-dirs.js";

/**
 * local-kms enforces key states (Disabled, PendingDeletion) that moto ignores. It has no reset
 * endpoint; tests create fresh keys instead. Its listener cannot be restricted to one address: it
 * binds `:PORT` (every interface); clients only ever reach it through 127.0.0.1.
 */
export interface LocalKmsServer extends KmsServer {
  readonly kind: "local-kms";
}

export async function startLocalKms(localKmsBin: string): Promise<LocalKmsServer> {
  const dir = makeTempDir("local-kms");
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: dir,
    PORT: "0",
    KMS_ACCOUNT_ID: ACCOUNT_ID,
    KMS_REGION: REGION,
    KMS_DATA_PATH: join(dir, "data"),
    // A path with no file: no seeding (the default /init/seed.yaml is outside our control).
    KMS_SEED_PATH: join(dir, "no-seed.yaml"),
  };
  const proc = startServer("local-kms", localKmsBin, [], env, dir);
  let port: number;
  try {
    port = portFrom(await proc.waitFor(/Local KMS started on [0-9.:]*:(\d+)/, 30_000));
  } catch (e) {
    await proc.stop();
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  const kms = adminClient(url);
  const server: LocalKmsServer = {
    kind: "local-kms",
    url,
    pgid: proc.pgid,
    kms,
    async stop() {
      kms.destroy();
      await proc.stop();
    },
  };
  try {
    await waitUntilAnswering(kms, "local-kms", 30_000);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
