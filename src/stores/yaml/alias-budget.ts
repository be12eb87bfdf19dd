/**
 * How far aliases may expand. A YAML alias repeats its anchor's whole subtree, so a kilobyte of
 * nested aliases ("billion laughs") names a million values, and every one of them would be
 * decrypted, hashed and held in memory before the MAC could reject the file. The bound grows with the
 * file: at most 10 expanded nodes per byte of input (a written value takes at least about 4 bytes,
 * so roughly 40 per value the file actually contains; 25 let a 1.4 KB bomb reach 109 MB on Node 24), and never less than 10,000, which no real
 * secrets file comes near. An attacker cannot raise it without writing a file as large as the
 * expansion it buys.
 */
export const ALIAS_NODES_PER_BYTE = 10;
export const ALIAS_NODES_MIN = 10_000;

/** The most nodes (values and collections) all aliases of a `bytes`-long document may produce. */
export function aliasBudget(bytes: number): number {
  return Math.max(ALIAS_NODES_MIN, ALIAS_NODES_PER_BYTE * bytes);
}
