/** The single exit-code table of cli.md. */
import type { ErrorCode } from "../core/errors.js";

export const EXIT = { ok: 0, internal: 1, usage: 2, integrity: 3, key: 4, auth: 5, check: 6 } as const;

export function exitCodeOf(code: ErrorCode): number {
  return EXIT[code];
}
