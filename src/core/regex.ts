/**
 * Regular expressions from files (a document's `encrypted_regex`, a `.kmsrc` rule) run on RE2JS, a
 * port of RE2: matching is linear in the key's length whatever the pattern, so a hostile pattern
 * such as `^(a+)+$` cannot hang a command, and the syntax is sops's (Go regexp, itself RE2).
 *
 * The engine is about 260 KB of JavaScript (10-30 ms to load), so it is required only when a file
 * actually carries a regex rule; an ordinary decrypt never loads it.
 */
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";

export interface KeyRegex {
  /** True when the pattern matches anywhere in `key`, as Go's MatchString. */
  test(key: string): boolean;
}

let engine: typeof RE2JS | undefined;

/** Compiles `source` with RE2 syntax; throws the engine's syntax error for an invalid pattern. */
export function compileKeyRegex(source: string): KeyRegex {
  engine ??= (createRequire(import.meta.url)("re2js") as { RE2JS: typeof RE2JS }).RE2JS;
  const re = engine.compile(source);
  return { test: (key) => re.test(key) };
}
