/**
 * What decides which values of a file are encrypted and what its MAC covers: the crypt rule, the
 * comment rule sops may carry, and `mac_only_encrypted`. None of it is covered by the MAC, so a file
 * can carry a setting its project never chose and still verify; callers compare it with the
 * project's (`.kmsrc`) setting before trusting it for a write.
 */
import type { Metadata } from "./metadata.js";
import type { CryptRule, Policy } from "./policy.js";

export const COMMENT_RULE_KINDS = ["encrypted_comment_regex", "unencrypted_comment_regex"] as const;
export type CommentRuleKind = (typeof COMMENT_RULE_KINDS)[number];

export interface CryptSetting {
  readonly rule: CryptRule;
  readonly macOnlyEncrypted: boolean;
  /** sops's comment rule; kmseal never writes one (it encrypts every comment in an encrypted position). */
  readonly comments?: { readonly kind: CommentRuleKind; readonly value: string } | undefined;
}

/** The setting a sealed file carries in its sops block. */
export function settingOf(meta: Pick<Metadata, "rule" | "macOnlyEncrypted" | "extra">): CryptSetting {
  const kind = COMMENT_RULE_KINDS.find((k) => typeof meta.extra[k] === "string" && meta.extra[k] !== "");
  return {
    rule: meta.rule,
    macOnlyEncrypted: meta.macOnlyEncrypted,
    comments: kind === undefined ? undefined : { kind, value: meta.extra[kind] as string },
  };
}

export function sameSetting(a: CryptSetting, b: CryptSetting): boolean {
  return (
    a.rule.kind === b.rule.kind &&
    a.rule.value === b.rule.value &&
    a.macOnlyEncrypted === b.macOnlyEncrypted &&
    a.comments?.kind === b.comments?.kind &&
    a.comments?.value === b.comments?.value
  );
}

/** `encrypted_regex "^x$"`, plus `mac_only_encrypted` and a comment rule when set. */
export function showSetting(s: CryptSetting): string {
  const parts = [`${s.rule.kind} ${JSON.stringify(s.rule.value)}`];
  if (s.comments !== undefined) parts.push(`${s.comments.kind} ${JSON.stringify(s.comments.value)}`);
  parts.push(`mac_only_encrypted ${String(s.macOnlyEncrypted)}`);
  return parts.join(", ");
}

/**
 * The first key path that one of `others` encrypts and `target` would leave in cleartext, or
 * undefined when `target` encrypts at least everything they do on these paths.
 */
export function firstUncovered(target: Policy, others: readonly Policy[], paths: Iterable<readonly string[]>): readonly string[] | undefined {
  for (const path of paths) if (!target.encrypts(path) && others.some((p) => p.encrypts(path))) return path;
  return undefined;
}
