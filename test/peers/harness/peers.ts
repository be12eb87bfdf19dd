import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PEERS_BIN } from "./paths.js";

/** The independent implementations the peer suites run against. */
export type PeerName = "moto_server" | "local-kms" | "sops" | "age" | "age-keygen" | "age-plugin-kmsealtest";

export type PeerLookup = { readonly path: string } | { readonly skip: string };

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a peer in .peers/bin first (the pinned versions), then on PATH. */
export function findPeer(name: PeerName): PeerLookup {
  const dirs = [PEERS_BIN, ...(process.env["PATH"] ?? "").split(delimiter).filter((d) => d !== "")];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (executable(path)) return { path };
  }
  return { skip: `${name} not installed — run scripts/install-peers.sh` };
}

/** Under KMSEAL_PEERS=required (CI) a missing peer fails the run instead of skipping. */
export function peersRequired(): boolean {
  return process.env["KMSEAL_PEERS"] === "required";
}

/**
 * Declares a suite that needs the given peers. When one is missing the suite prints one line and
 * is skipped, or, when peers are required, contains a single failing test that names the peer.
 */
export function peerSuite<N extends PeerName>(suite: string, needs: readonly N[], body: (bins: Readonly<Record<N, string>>) => void): void {
  const bins: Partial<Record<N, string>> = {};
  for (const name of needs) {
    const found = findPeer(name);
    if ("skip" in found) {
      const line = `peers: skipped ${suite}: ${found.skip}`;
      if (peersRequired()) {
        describe(suite, () => {
          it("has its peers installed (KMSEAL_PEERS=required)", () => assert.fail(`peers: missing for ${suite}: ${found.skip}`));
        });
      } else {
        // The skipped suite is named by the line itself, so the reporter prints exactly one line for it.
        describe(line, { skip: true }, () => {});
      }
      return;
    }
    bins[name] = found.path;
  }
  describe(suite, () => {
    body(bins as Record<N, string>);
  });
}
