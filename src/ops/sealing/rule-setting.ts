/**
 * The crypt setting a `.kmsrc` rule asks for, and how a sealed file's differs from it. Key-free, so
 * `check` and `status` can use it offline; project-setting.ts re-seals under it.
 */
import { resolve } from "node:path";
import { sameSetting, settingOf, showSetting, type CryptSetting } from "../../core/crypt-setting.js";
import type { Metadata } from "../../core/metadata.js";
import { DEFAULT_RULE } from "../../core/policy.js";
import type { Rule } from "../../config/kmsrc.js";
import { projectOf } from "../../config/project.js";
import { ruleFor } from "../../config/rules.js";
import { shellQuote } from "../../platform/shell-quote.js";

/** The setting a `.kmsrc` rule seals with (sealing/plan.ts uses the same defaults). */
export function ruleSetting(rule: Rule): CryptSetting {
  return { rule: rule.crypt ?? DEFAULT_RULE, macOnlyEncrypted: rule.macOnlyEncrypted };
}

export interface ProjectSetting {
  readonly rule: Rule;
  readonly kmsrc: string;
  readonly setting: CryptSetting;
}

/** The `.kmsrc` rule covering `file` and its setting, or undefined when none does. */
export function projectSetting(file: string, configPath: string | undefined): ProjectSetting | undefined {
  const project = projectOf(resolve(file), configPath);
  if (project.config === null) return undefined;
  const rule = ruleFor(project.config, resolve(file));
  return rule === undefined ? undefined : { rule, kmsrc: project.config.file, setting: ruleSetting(rule) };
}

/** How the file's setting differs from its rule's, in words, or null when it does not. */
export function settingDifference(meta: Pick<Metadata, "rule" | "macOnlyEncrypted" | "extra">, rule: Rule): string | null {
  const own = settingOf(meta);
  const wanted = ruleSetting(rule);
  if (sameSetting(own, wanted)) return null;
  return `its crypt rule (${showSetting(own)}) differs from its .kmsrc rule "${rule.path}" (${showSetting(wanted)})`;
}

/** How to bring a file under its project's rule, for messages. */
export function adoptHint(file: string): string {
  const f = shellQuote(file);
  return `re-seal it under the .kmsrc rule with \`kmseal rotate ${f}\` (or \`kmseal decrypt ${f}\` and \`kmseal encrypt --force\` the plaintext), or change the .kmsrc rule if the file's rule is the one you want`;
}
