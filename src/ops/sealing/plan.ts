/**
 * Which rule, encryption context, keys and crypt policy apply to a file about to be sealed: flags
 * win over the `.kmsrc` rule matched by name, which wins over the local age identity. The `file`
 * context pair is always kmseal's own: the project-relative path the sealed file lives at, except
 * in a project configured by `.sops.yaml`, whose KMS keys carry exactly the context sops would give
 * them (a key group entry's `context:`, else the `--context` pairs) and so are not bound to a path.
 */
import { resolve } from "node:path";
import { ConfigError, UsageError } from "../../core/errors.js";
import type { KeyRecord, KmsRecord } from "../../core/metadata.js";
import { compilePolicy, DEFAULT_RULE, type CryptRule, type Policy } from "../../core/policy.js";
import type { Rule } from "../../config/kmsrc.js";
import { projectOf } from "../../config/project.js";
import { projectPath, ruleFor } from "../../config/rules.js";
import type { KeySource } from "../../keys/key-source.js";
import { recordId } from "../../keys/registry.js";
import type { KeyServices } from "../keys/services.js";
import { keySourcesFor, type KeyChoice } from "../keys/choice.js";

export interface PlanOptions extends KeyChoice {
  /** Where the sealed file lives: its `file` context. Undefined only for stdin without --as. */
  readonly sealedPath?: string | undefined;
  /** The name `.kmsrc` rules are matched against (the plaintext's name when there is one). */
  readonly rulePath?: string | undefined;
  /** Extra encryption-context pairs (the `file` pair is always set by kmseal). */
  readonly context?: Readonly<Record<string, string>> | undefined;
  readonly configPath?: string | undefined;
}

export interface SealingPlan {
  readonly rule: Rule | undefined;
  readonly context: Readonly<Record<string, string>>;
  readonly sources: readonly KeySource[];
  readonly crypt: CryptRule;
  readonly policy: Policy;
  readonly macOnlyEncrypted: boolean;
  readonly encryptComments: boolean;
}

export async function sealingPlan(opts: PlanOptions, services: KeyServices): Promise<SealingPlan> {
  const { sealedPath, rulePath } = opts;
  const project = projectOf(resolve(sealedPath ?? rulePath ?? "."), opts.configPath);
  const rule = project.config !== null && rulePath !== undefined ? ruleFor(project.config, resolve(rulePath)) : undefined;
  if (rule?.refusal !== undefined) throw refused(rule.refusal, project.config?.file);
  const context: Record<string, string> = { ...(rule?.context ?? {}), ...(opts.context ?? {}) };
  const bindsPath = project.config?.format !== "sops";
  if (sealedPath !== undefined && bindsPath) context["file"] = projectPath(project.root, resolve(sealedPath));
  const uncovered =
    project.config !== null && rule === undefined
      ? { kmsrc: project.config.file, path: rulePath !== undefined ? projectPath(project.root, resolve(rulePath)) : undefined }
      : undefined;
  const sources = await keySourcesFor(opts, rule, context, services, uncovered);
  if (sources.some((s) => s.type === "kms") && sealedPath === undefined && bindsPath) {
    throw new UsageError("encrypting stdin with a KMS key needs the file's path for its encryption context", {
      hint: "pass --as PATH (the path the encrypted file will have) or -o PATH",
    });
  }
  const crypt = rule?.crypt ?? DEFAULT_RULE;
  return {
    rule,
    context,
    sources,
    crypt,
    policy: compilePolicy(crypt),
    macOnlyEncrypted: rule?.macOnlyEncrypted ?? false,
    encryptComments: rule?.encryptComments ?? true,
  };
}

/** The keys a file being re-keyed should have now: its rule's, else its own current ones. */
export function wantedKeys(
  file: string,
  keys: readonly KeyRecord[],
  configPath: string | undefined,
): { rule: Rule | undefined; kms: readonly string[]; age: readonly string[]; context: Record<string, string> } {
  const project = projectOf(resolve(file), configPath);
  const rule = project.config !== null ? ruleFor(project.config, resolve(file)) : undefined;
  if (rule?.refusal !== undefined) throw refused(rule.refusal, project.config?.file);
  if (rule !== undefined && (rule.kms.length > 0 || rule.age.length > 0)) return { rule, kms: rule.kms, age: rule.age, context: { ...rule.context } };
  const kms = keys.filter((k): k is KmsRecord => k.type === "kms");
  const context: Record<string, string> = { ...(kms[0]?.context ?? {}) };
  delete context["file"];
  return { rule, kms: kms.map(recordId), age: keys.filter((k) => k.type === "age").map(recordId), context };
}

/**
 * Whether an existing sealed file was made under this plan (same crypt rule, MAC mode and keys), so
 * its data key and unchanged ciphertexts can be kept.
 */
export function sealedUnder(
  plan: SealingPlan,
  meta: { readonly keys: readonly KeyRecord[]; readonly rule: CryptRule; readonly macOnlyEncrypted: boolean },
): boolean {
  if (meta.rule.kind + meta.rule.value !== plan.crypt.kind + plan.crypt.value || meta.macOnlyEncrypted !== plan.macOnlyEncrypted) return false;
  const kms = meta.keys.filter((r) => r.type === "kms");
  const age = meta.keys.filter((r) => r.type === "age");
  const wantKms = plan.sources.filter((s) => s.type === "kms");
  const wantAge = new Set(plan.sources.filter((s) => s.type === "age").map((s) => s.id));
  if (kms.length !== wantKms.length || age.length !== wantAge.size) return false;
  if (!age.every((r) => wantAge.has(r.recipient))) return false;
  const ctxOf = (c: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(c).sort());
  return wantKms.every((s, i) => {
    const r = kms[i]!;
    // A `.sops.yaml` key group gives each key its own context.
    const key = s as KeySource & { readonly context?: Readonly<Record<string, string>>; readonly role?: string | undefined };
    const want = key.context ?? plan.context;
    if (JSON.stringify(Object.entries(r.context ?? {}).sort()) !== ctxOf(want)) return false;
    if ((r.role ?? "") !== (key.role ?? "")) return false;
    // An alias cannot be compared without a KMS call; the record holds the key it resolved to.
    return r.arn === s.id || r.arn.endsWith(`:key/${s.id}`) || s.id.startsWith("alias/") || s.id.includes(":alias/");
  });
}

function refused(reason: string, file: string | undefined): ConfigError {
  return new ConfigError(reason, {
    file,
    hint: "seal this file with --kms/--age, change the rule, or write a .kmsrc for kmseal (`kmseal init --from-sops` lists what it cannot carry over)",
  });
}
