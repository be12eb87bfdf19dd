/** The age-encryption package (typage), for the recipient types kmseal has no native code for (post-quantum, tag). */
type AgeModule = typeof import("age-encryption");
let ageModule: Promise<AgeModule> | undefined;

/** Loaded on first use: commands that never touch those keys do not pay for it. */
export function loadAge(): Promise<AgeModule> {
  ageModule ??= import("age-encryption");
  return ageModule;
}
