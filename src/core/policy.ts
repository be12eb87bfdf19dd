/**
 * Which leaves are encrypted: sops's single crypt rule, tested on every component of the key path.
 */
import { ConfigError } from "./errors.js";
import { compileKeyRegex, type KeyRegex } from "./regex.js";

export type CryptRuleKind = "unencrypted_suffix" | "encrypted_suffix" | "unencrypted_regex" | "encrypted_regex";
export const CRYPT_RULE_KINDS: readonly CryptRuleKind[] = ["unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex"];

export interface CryptRule {
  readonly kind: CryptRuleKind;
  readonly value: string;
}

export const DEFAULT_RULE: CryptRule = { kind: "unencrypted_suffix", value: "_unencrypted" };

export interface Policy {
  readonly rule: CryptRule;
  /** Whether a value (or a comment, by its container's path) sits in an encrypted position. */
  encrypts(path: readonly string[]): boolean;
}

/** Compiles the rule once; regexes are RE2, as in sops (core/regex.ts). */
export function compilePolicy(rule: CryptRule = DEFAULT_RULE): Policy {
  switch (rule.kind) {
    case "unencrypted_suffix":
      return { rule, encrypts: (path) => !path.some((k) => k.endsWith(rule.value)) };
    case "encrypted_suffix":
      return { rule, encrypts: (path) => path.some((k) => k.endsWith(rule.value)) };
    case "unencrypted_regex": {
      const re = compileRegex(rule);
      return { rule, encrypts: (path) => !path.some((k) => re.test(k)) };
    }
    case "encrypted_regex": {
      const re = compileRegex(rule);
      return { rule, encrypts: (path) => path.some((k) => re.test(k)) };
    }
  }
}

function compileRegex(rule: CryptRule): KeyRegex {
  try {
    return compileKeyRegex(rule.value);
  } catch (err) {
    throw new ConfigError(`${rule.kind} "${rule.value}" is not a valid regular expression: ${(err as Error).message}`, {
      hint: 'use an RE2-compatible pattern, e.g. "^(password|token|secret)$"',
    });
  }
}
