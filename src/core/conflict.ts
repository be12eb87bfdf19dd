/**
 * Unresolved merge conflicts in a sealed file. git cannot see conflict markers inside encrypted
 * values, so the merge driver leaves two signs of a conflict it could not resolve: the markers
 * themselves, inside the (encrypted) values, and a record in the sops block that anyone can read
 * without a key. The record holds key paths and words, never a value.
 */
import type { Metadata } from "./metadata.js";

/** The sops-block field the merge driver writes on conflict; sops ignores fields it does not know. */
export const CONFLICT_FIELD = "kmseal_conflict";

/** The conflict record a file carries, or undefined. */
export function conflictRecord(meta: Pick<Metadata, "extra">): string | undefined {
  const v = meta.extra[CONFLICT_FIELD];
  if (v === undefined || v === null || v === "" || v === false) return undefined;
  return typeof v === "string" ? v : "unresolved merge conflict";
}

/**
 * Whether a text holds git-style conflict markers: a line starting `<<<<<<< `, a later line that is
 * exactly `=======`, and a later line starting `>>>>>>> `, as git writes them (and the merge driver
 * writes them into a value). All three, in order, so a lone `=======` line in a secret is not one.
 */
export function hasConflictMarkers(text: string): boolean {
  if (!text.includes("<<<<<<< ")) return false;
  const lines = text.split(/\r?\n/);
  const open = lines.findIndex((l) => l.startsWith("<<<<<<< "));
  if (open < 0) return false;
  const middle = lines.findIndex((l, i) => i > open && l === "=======");
  if (middle < 0) return false;
  return lines.some((l, i) => i > middle && l.startsWith(">>>>>>> "));
}
