/**
 * `init --from-sops`: the `.kmsrc` that seals every file as the `.sops.yaml` does (same first-match
 * order, `path_regex` kept as a regex, same keys and crypt rule), and a list of what it cannot say.
 *
 * A `.kmsrc` binds each KMS key to the file's path (`file` in the encryption context) where sops
 * uses the rule's context: that difference is listed, not hidden. A rule kmseal cannot honour (PGP,
 * several key groups, ...) is written commented out, since dropping keys from it would seal files to
 * fewer people than sops does; its files then fall to the next rule, which is listed too.
 */
import type { Kmsrc, Rule } from "../config/kmsrc.js";
import { sopsNotes } from "../config/sops-yaml.js";

export interface FromSops {
  readonly text: string;
  /** What the `.kmsrc` does not say that the `.sops.yaml` did. */
  readonly notCarried: string[];
  /** What means something else in a `.kmsrc` (said every time). */
  readonly notes: string[];
}

const q = (s: string) => JSON.stringify(s);
const list = (items: readonly string[]) => `[${items.map(q).join(", ")}]`;

export function kmsrcFromSops(config: Kmsrc): FromSops {
  const notCarried: string[] = sopsNotes(config).map((n) => (n.line !== undefined ? `line ${n.line}: ${n.text}` : n.text));
  const profiles = new Set(config.rules.flatMap((r) => (r.refusal === undefined ? (r.kmsKeys ?? []).map((k) => k.awsProfile) : [])));
  const profile = profiles.size === 1 ? [...profiles][0]! : "";
  if (profiles.size > 1)
    notCarried.push(
      `aws_profile differs between keys (${[...profiles].map((p) => (p === "" ? "(none)" : p)).join(", ")}): a .kmsrc has one aws.profile; pass --profile or set AWS_PROFILE per use`,
    );
  let anyKms = false;
  const body: string[] = [];
  for (const rule of config.rules) {
    const lines = ruleLines(rule, notCarried);
    anyKms ||= rule.kms.length > 0 && rule.refusal === undefined;
    if (rule.refusal !== undefined) {
      notCarried.push(`${rule.refusal}; written commented out, so the files it matched fall to the next rule that matches them`);
      body.push(`  # not carried over (${rule.refusal.replace(/\n/g, " ")}):`, ...lines.map((l) => `  # ${l.slice(2)}`));
    } else body.push(...lines);
  }
  const notes: string[] = [];
  notes.push(
    "meaning: a .kmsrc rule marks the files it matches as secrets (kmseal check flags them while plaintext, encrypt --all seals them), where a creation rule only chose their keys",
  );
  for (const rule of config.rules)
    if (rule.pathRegex === "" && rule.refusal === undefined)
      notes.push(
        `${rule.where ?? "a rule"} matches every file: as a .kmsrc rule it marks README.md and every other file as a secret; narrow its path_regex before \`kmseal hook install\``,
      );
  if (anyKms)
    notes.push(
      "KMS keys: a .kmsrc binds each sealed file to its path (encryption context file=PATH) besides the rule's context, where sops uses the rule's context alone; files sealed by sops still decrypt, and are bound once kmseal re-seals them (kmseal updatekeys)",
    );
  const text = [
    `# kmseal project file, written by \`kmseal init --from-sops\` from ${config.file.split(/[\\/]/).pop() ?? ".sops.yaml"}.`,
    "# Rules are tried in order and the first match wins, as sops's creation_rules are. path_regex is an",
    "# RE2 regex searched in the path relative to this folder; every field is described in .kmsrc.example.",
    "",
    ...(profile !== "" ? ["aws:", `  profile: ${q(profile)}`, ""] : []),
    "rules:",
    ...body,
    "",
  ].join("\n");
  return { text, notCarried, notes };
}

function ruleLines(rule: Rule, notCarried: string[]): string[] {
  const where = rule.where ?? rule.path;
  const out = [rule.pathRegex === "" ? `  - path_regex: ""   # every file (no path_regex in sops)` : `  - path_regex: ${q(rule.pathRegex ?? rule.path)}`];
  if (rule.kms.length > 0) out.push(`    kms: ${list(rule.kms)}`);
  if (rule.age.length > 0) out.push(`    age: ${list(rule.age)}`);
  const keys = rule.kmsKeys ?? [];
  const contexts = new Set(keys.map((k) => JSON.stringify(Object.entries(k.context ?? {}).sort())));
  if (contexts.size === 1) {
    const context = keys[0]?.context ?? {};
    if (Object.keys(context).length > 0) {
      if ("file" in context)
        notCarried.push(`${where}: the encryption context pair file=${context["file"]} cannot be set in a .kmsrc (kmseal sets file to each file's path)`);
      const pairs = Object.entries(context).filter(([k]) => k !== "file");
      if (pairs.length > 0) out.push(`    context: { ${pairs.map(([k, v]) => `${q(k)}: ${q(v)}`).join(", ")} }`);
    }
  } else if (contexts.size > 1)
    notCarried.push(`${where}: its KMS keys have different encryption contexts; a .kmsrc rule has one context for all its keys, so none was written`);
  for (const k of keys)
    if (k.role !== undefined)
      notCarried.push(`${where}: the role ${k.role} of ${k.arn} (a .kmsrc names no per-key role: put role_arn in the AWS profile, or aws.role_arn in .kmsrc)`);
  if (rule.crypt !== undefined) out.push(`    ${rule.crypt.kind}: ${q(rule.crypt.value)}`);
  if (rule.macOnlyEncrypted) out.push("    mac_only_encrypted: true");
  if (rule.kms.length === 0 && rule.age.length === 0 && rule.refusal === undefined)
    notCarried.push(`${where} names no keys: sops refuses to encrypt such files, kmseal seals them to your local age identity`);
  return out;
}
