/** The words `logout` and `whoami` print: one wording per event, and whoami's exit status. */
import { EXIT } from "./exit-codes.js";

interface Removed {
  readonly profile: string;
  readonly kind: "session" | "role";
  readonly roleArn?: string | undefined;
}

export function logoutText(removed: readonly Removed[], all: boolean, profile: string | undefined): string {
  if (removed.length === 0) return all || profile === undefined ? "no cached sessions\n" : `no cached session for profile ${profile}\n`;
  return removed
    .map((s) =>
      s.kind === "role"
        ? `removed the role session of profile ${s.profile}${s.roleArn ? ` (${s.roleArn})` : ""}\n`
        : `removed the MFA session of profile ${s.profile}\n`,
    )
    .join("");
}

/** With no session there is no identity to show: that is an auth failure (exit 5), said on stderr. */
export function whoamiMissing(profile: string, hint: string): { stderr: string; exit: number } {
  return { stderr: `kmseal: no session for profile ${profile}\n  hint: ${hint.replace(/^no cached session: /, "")}\n`, exit: EXIT.auth };
}
