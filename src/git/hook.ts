/**
 * The pre-commit hook: a marked block that runs `kmseal check --staged`, placed in the hook file git
 * runs (`.git/hooks/pre-commit`, or under `core.hooksPath`).
 *
 * The block goes right after an existing hook's `#!` line rather than at its end: hooks written by
 * other tools often end in `exec ...` or `exit 0` (the pre-commit framework's does), and a block
 * after those would never run. What the hook did before is kept, byte for byte, after the block.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../core/errors.js";
import { findBlock as findMarked, removeBlock, replaceBlock, type Span } from "../platform/marked-block.js";
import { hookFile } from "./git.js";

export const BLOCK_START = "# >>> kmseal >>>";
export const BLOCK_END = "# <<< kmseal <<<";

/**
 * git runs hooks from the top of the work tree, so a project-local kmseal (node_modules/.bin) is
 * found by a relative path; it is preferred over one on PATH so the version in package.json is
 * used, and it skips npx's start-up cost on every commit.
 */
export const HOOK_BLOCK = [
  BLOCK_START,
  "# Added by `kmseal hook install`; `kmseal hook uninstall` removes it. Fails the commit when a",
  "# file that a .kmsrc rule covers is staged in plaintext (exit 6); silent when the check passes.",
  "# Bypass once: git commit --no-verify",
  "if [ -x ./node_modules/.bin/kmseal ]; then",
  "  ./node_modules/.bin/kmseal check --staged --quiet || exit $?",
  "elif command -v kmseal >/dev/null 2>&1; then",
  "  kmseal check --staged --quiet || exit $?",
  "else",
  '  echo "kmseal: not found in node_modules/.bin or on PATH; the secrets check could not run" >&2',
  '  echo "  install it as the kmseal README section Install in your project says, or remove the hook: kmseal hook uninstall" >&2',
  "  exit 1",
  "fi",
  BLOCK_END,
].join("\n");

export type HookAction = "installed" | "updated" | "unchanged" | "removed" | "absent";

export interface HookResult {
  readonly path: string;
  readonly action: HookAction;
}

const POSIX_SHELLS = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\S*\/)?(?:sh|bash|dash|zsh|ksh|ash)(?:\s|$)/;

export async function installHook(cwd: string): Promise<HookResult> {
  const path = await hookFile(cwd, "pre-commit");
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  const after = withBlock(before, path);
  if (after === before) {
    chmodSync(path, 0o755);
    return { path, action: "unchanged" };
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, after, { mode: 0o755 });
  chmodSync(path, 0o755); // writeFileSync's mode applies only to a new file
  return { path, action: before !== null && findBlock(before) !== null ? "updated" : "installed" };
}

export async function uninstallHook(cwd: string): Promise<HookResult> {
  const path = await hookFile(cwd, "pre-commit");
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  const block = before === null ? null : findBlock(before);
  if (before === null || block === null) return { path, action: "absent" };
  const rest = removeBlock(before, block);
  // A hook that only ever held the block (what install creates) is removed with it.
  if (/^#!.*\n?\s*$/.test(rest) || rest.trim() === "") rmSync(path);
  else writeFileSync(path, rest);
  return { path, action: "removed" };
}

/** The hook text with the current block in it. Pure, for tests. */
export function withBlock(before: string | null, path = "pre-commit"): string {
  if (before === null || before.trim() === "") return `#!/bin/sh\n${HOOK_BLOCK}\n`;
  const block = findBlock(before);
  if (block !== null) return replaceBlock(before, block, HOOK_BLOCK + "\n");
  const firstLine = before.split("\n", 1)[0]!;
  if (!firstLine.startsWith("#!")) return `#!/bin/sh\n${HOOK_BLOCK}\n${before}`;
  if (!POSIX_SHELLS.test(firstLine)) {
    throw new UsageError(`${path} is not a shell script (${firstLine}); kmseal will not edit it`, {
      hint: "call `kmseal check --staged` from it yourself (exit status 6 means: do not commit)",
    });
  }
  return `${firstLine}\n${HOOK_BLOCK}\n${before.slice(firstLine.length + 1)}`;
}

function findBlock(text: string): Span | null {
  return findMarked(
    text,
    { start: BLOCK_START, end: BLOCK_END },
    () => new UsageError(`the kmseal block in the pre-commit hook has a start marker but no "${BLOCK_END}" line`, { hint: "fix or remove the block by hand" }),
  );
}
