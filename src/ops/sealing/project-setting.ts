/**
 * The project's rule wins over the one a file carries. A file's crypt rule and `mac_only_encrypted`
 * sit outside the MAC: a one-line edit of `encrypted_regex` still verifies, and trusting it would
 * let `set` or `edit` write a new secret in cleartext. Every rewrite under an opened file's data key
 * (set, unset, edit, merge) goes through `projectReseal`: when the file's setting is the `.kmsrc`
 * rule's (or no rule covers the file) nothing changes; when they differ, the file is re-sealed under
 * the `.kmsrc` rule if that encrypts at least every value the file's own rule does (it only encrypts
 * more), and refused (exit 2) otherwise, naming both rules and the fix.
 */
import { firstUncovered, sameSetting, settingOf, showSetting, type CryptSetting } from "../../core/crypt-setting.js";
import { UsageError } from "../../core/errors.js";
import { compilePolicy, type Policy } from "../../core/policy.js";
import { displayPath, type Leaf } from "../../core/tree.js";
import { adoptHint, projectSetting } from "./rule-setting.js";
import { reseal, type ResealBase, type Resealed, type ResealOptions } from "./sealed-file.js";

type Options = ResealOptions & {
  readonly configPath?: string | undefined;
  /** Further settings whose encrypted values must stay encrypted (a merge's versions). */
  readonly alsoEncrypted?: readonly CryptSetting[];
};
type Base = ResealBase & { readonly doc?: { readonly leaves: readonly Leaf[] } };

interface Guard {
  /** The setting to seal under when it is not the file's own. */
  readonly setting: CryptSetting | undefined;
  /** Throws the refusal when a leaf would become cleartext. */
  readonly check: ((leaves: readonly Leaf[]) => void) | undefined;
}

function guardFor(file: string, from: Base, opts: Options): Guard {
  const project = projectSetting(file, opts.configPath);
  const own = settingOf(from.meta);
  const others = [own, ...(opts.alsoEncrypted ?? [])];
  const target = project?.setting ?? own;
  if (others.every((s) => sameSetting(s, target))) return { setting: undefined, check: undefined };
  const policy = compilePolicy(target.rule);
  const differing = others.filter((s) => !sameSetting(s, target));
  const kept: Policy[] = differing.map((s) => compilePolicy(s.rule));
  const check = (leaves: readonly Leaf[]) => {
    const path = firstUncovered(
      policy,
      kept,
      leaves.map((l) => l.path),
    );
    if (path === undefined) return;
    const whose =
      project !== undefined ? `its .kmsrc rule "${project.rule.path}" (${showSetting(target)})` : `the rule it is sealed with (${showSetting(target)})`;
    const rules = [...new Set(differing.map(showSetting))].join("; ");
    throw new UsageError(`the file's crypt rule (${rules}) differs from ${whose}, which would leave ${displayPath(path)} in cleartext; nothing was written`, {
      hint: project !== undefined ? adoptHint(file) : "resolve the rule change by hand, then run the command again",
    });
  };
  if (from.doc !== undefined) check(from.doc.leaves);
  return { setting: sameSetting(own, target) ? undefined : target, check };
}

/**
 * Refuses before any work is done (an editor opened) when the project's rule would leave one of the
 * opened file's values in cleartext.
 */
export function checkProjectRule(file: string, from: Base, configPath: string | undefined): void {
  guardFor(file, from, { configPath });
}

/** Reseals `plaintext` under `from`'s data key with the project's setting for `file`, or refuses. */
export async function projectReseal(file: string, plaintext: Uint8Array, from: Base, opts: Options = {}): Promise<Resealed> {
  const guard = guardFor(file, from, opts);
  if (guard.check === undefined) return reseal(plaintext, from, opts);
  const check = guard.check;
  return reseal(plaintext, from, {
    ...opts,
    setting: guard.setting,
    check: (leaves) => {
      check(leaves);
      opts.check?.(leaves);
    },
  });
}
