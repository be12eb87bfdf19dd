import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root, found from this module's place in build/test/peers/harness/. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Where scripts/install-peers.sh puts the peer binaries (KMSEAL_PEERS_BIN overrides it, for tests of the skip logic). */
export const PEERS_BIN = process.env["KMSEAL_PEERS_BIN"] ?? join(REPO_ROOT, ".peers", "bin");

/** The bundled CLI that `npm run build` writes (KMSEAL_BIN overrides it, e.g. to test an installed package). */
export const KMSEAL_BIN = process.env["KMSEAL_BIN"] ?? join(REPO_ROOT, "dist", "kmseal.js");

/** The shared plaintext fixtures. */
export const PLAIN_FIXTURES = join(REPO_ROOT, "fixtures", "plain");
