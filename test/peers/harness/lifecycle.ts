import { after, before, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startLocalKms } from "./local-kms.js";
import type { LocalKmsServer } from "./local-kms.js";
import { startMoto } from "./moto.js";
import type { MotoServer } from "./moto.js";
import { stopAllServers, survivingGroups } from "./server-process.js";
import { removeTempDirs } from "./temp-dirs.js";

/**
 * Hooks for a describe() block: start the server once before its tests, reset between tests (moto),
 * stop it after the block even when tests failed, and fail the block if any process it started is
 * still alive afterwards. Returns an accessor, valid inside tests and hooks.
 */
function useServer<S extends { readonly pgid: number; stop(): Promise<void> }>(start: () => Promise<S>, reset?: (s: S) => Promise<void>): () => S {
  let server: S | undefined;
  before(async () => {
    server = await start();
  });
  if (reset !== undefined) {
    beforeEach(async () => {
      if (server !== undefined) await reset(server);
    });
  }
  after(async () => {
    const pgids = server === undefined ? [] : [server.pgid];
    await stopAllServers();
    removeTempDirs();
    assert.deepEqual(survivingGroups(pgids), [], "a peer server outlived its suite");
  });
  return () => {
    if (server === undefined) throw new Error("the peer server is not running (did before() fail?)");
    return server;
  };
}

export function useMoto(motoBin: string): () => MotoServer {
  return useServer(
    () => startMoto(motoBin),
    (s) => s.reset(),
  );
}

export function useLocalKms(localKmsBin: string): () => LocalKmsServer {
  return useServer(() => startLocalKms(localKmsBin));
}
