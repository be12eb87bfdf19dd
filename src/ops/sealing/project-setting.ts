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

/**
 * Reseals `plaintext` under `from`'s data key with the project's setting for `file`, or refuses.
 * `alsoEncrypted`: further settings whose encrypted values must stay encrypted (a merge's sides).
 */
export async function projectReseal(
  file: string,
  plaintext: Uint8Array,
  from: ResealBase & { readonly doc?: { readonly leaves: readonly Leaf[] } },
  opts: ResealOptions & { readonly configPath?: string | undefined; readonly alsoEncrypted?: readonly CryptSetting[] } = {},
): Promise<Resealed> {
  const project = projectSetting(file, opts.configPath);
  const own = settingOf(from.meta);
  const others = [own, ...(opts.alsoEncrypted ?? [])];
  const target = project?.setting ?? own;
  if (others.every((s) => sameSetting(s, target))) return reseal(plaintext, from, opts);
  const policy = compilePolicy(target.rule);
  const kept: Policy[] = others.filter((s) => !sameSetting(s, target)).map((s) => compilePolicy(s.rule));
  const refuse = (path: readonly string[]) => {
    const whose =
      project !== undefined ? `its .kmsrc rule "${project.rule.path}" (${showSetting(target)})` : `the rule it is sealed with (${showSetting(target)})`;
    const rules = [...new Set(others.filter((s) => !sameSetting(s, target)).map(showSetting))].join("; ");
    return new UsageError(`the file's crypt rule (${rules}) differs from ${whose}, which would leave ${displayPath(path)} in cleartext; nothing was written`, {
      hint: project !== undefined ? adoptHint(file) : "resolve the rule change by hand, then run the command again",
    });
  };
  const uncovered =
    from.doc !== undefined
      ? firstUncovered(
          policy,
          kept,
          from.doc.leaves.map((l) => l.path),
        )
      : undefined;
  if (uncovered !== undefined) throw refuse(uncovered);
  return reseal(plaintext, from, {
    ...opts,
    setting: sameSetting(own, target) ? undefined : target,
    check: (leaves) => {
      const path = firstUncovered(
        policy,
        kept,
        leaves.map((l) => l.path),
      );
      if (path !== undefined) throw refuse(path);
      opts.check?.(leaves);
    },
  });
}
