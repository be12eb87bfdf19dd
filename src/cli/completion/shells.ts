/** The shells `kmseal completion` writes for; the spec's choices, so the parser refuses any other. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];
