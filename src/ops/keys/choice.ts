/**
 * Which keys protect a file being encrypted: flags win, then the matching `.kmsrc` rule, then the
 * default key (the local age identity, created on first use, and said so on stderr). The kinds and
 * their flag and rule fields come from the key registry.
 */
import type { KeySource } from "../../keys/key-source.js";
import { KEY_KINDS, type KeyKind } from "../../keys/registry.js";
import type { Rule } from "../../config/kmsrc.js";
import type { KeyServices } from "./services.js";
import { UsageError } from "../../core/errors.js";

/** The keys named on the command line, per kind (`--kms`, `--age`). */
export type KeyChoice = { readonly [K in KeyKind]?: readonly string[] | undefined };

/** The project's `.kmsrc` when there is one, and the file's path in it, for a file no rule covers. */
export interface Uncovered {
  readonly kmsrc: string;
  readonly path: string | undefined;
}

export async function keySourcesFor(
  choice: KeyChoice,
  rule: Rule | undefined,
  context: Record<string, string>,
  services: KeyServices,
  project?: Uncovered,
): Promise<KeySource[]> {
  const none = (named: readonly (readonly string[])[]) => named.every((ids) => ids.length === 0);
  let named = KEY_KINDS.map((k) => choice[k.field] ?? []);
  if (none(named) && rule !== undefined) named = KEY_KINDS.map((k) => rule[k.field]);
  // A project that configures its keys has said who may read its files: a file its rules miss is a
  // gap in them, not something to seal quietly to this user's personal key (sops refuses too).
  if (none(named) && project !== undefined) throw uncoveredError(project);
  if (none(named) && rule?.where !== undefined)
    throw new UsageError(`${rule.where} names no keys, and no --kms or --age was given (sops refuses such a rule too)`, {
      hint: "add age: or kms: keys to the creation rule, or pass --kms/--age",
    });
  if (none(named)) named = await Promise.all(KEY_KINDS.map(async (k) => (k.defaultKey === undefined ? [] : [await k.defaultKey(services)])));
  // A `.sops.yaml` rule's KMS keys keep their role, profile and (key group) context, as sops stores them.
  const spec = (kind: KeyKind, id: string) => (kind === "kms" ? rule?.kmsKeys?.find((k) => k.arn === id) : undefined);
  const sources: KeySource[] = [];
  // One at a time, in table order: a bad name is reported the same way on every run.
  for (const [i, kind] of KEY_KINDS.entries())
    for (const id of named[i] ?? []) {
      const s = spec(kind.kind, id);
      sources.push(await kind.source(id, s?.context ?? context, services, s === undefined ? undefined : { awsProfile: s.awsProfile, role: s.role }));
    }
  return sources;
}

function uncoveredError({ kmsrc, path }: Uncovered): UsageError {
  const glob = path ?? "PATH";
  if (/\.sops\.ya?ml$/.test(kmsrc))
    return new UsageError(`no creation rule in ${kmsrc} matches ${path ?? "this input"}, and no --kms or --age was given`, {
      hint: `add a creation rule whose path_regex matches it (a rule without path_regex matches every file), or pass --kms/--age`,
    });
  return new UsageError(`no rule in ${kmsrc} covers ${path ?? "this input"}, and no --kms or --age was given`, {
    hint: `add a rule to ${kmsrc}, e.g. \`- path: "${glob}"\` with \`kms: [alias/NAME]\` or \`age: [age1...]\`, or pass --kms/--age`,
  });
}
