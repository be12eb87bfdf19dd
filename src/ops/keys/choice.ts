/**
 * Which keys protect a file being encrypted: flags win, then the matching `.kmsrc` rule, then the
 * local age identity (created on first use, and said so on stderr).
 */
import { AgeRecipient } from "../../keys/age/source.js";
import { createIdentityFile, localIdentityPath, localRecipient } from "../../keys/age/keyring.js";
import type { KeySource } from "../../keys/key-source.js";
import { KmsKey } from "../../keys/kms.js";
import type { Rule } from "../../config/kmsrc.js";
import type { KeyServices } from "./services.js";
import { UsageError } from "../../core/errors.js";

export interface KeyChoice {
  readonly kms?: readonly string[] | undefined;
  readonly age?: readonly string[] | undefined;
}

let creating: Promise<string> | undefined;

/** The local identity's recipient, creating the identity once even when many files ask at the same time. */
async function localOrNewRecipient(services: KeyServices): Promise<string> {
  const existing = await localRecipient(services.env);
  if (existing !== null) return existing;
  creating ??= createIdentityFile(localIdentityPath(services.env)).then(
    (created) => {
      services.notice(
        `no key configured: created an age identity in ${created.path} (recipient ${created.recipient}); back it up, it is the only way to decrypt`,
      );
      return created.recipient;
    },
    async (err: unknown) => (await localRecipient(services.env)) ?? Promise.reject(err instanceof Error ? err : new Error(String(err))),
  );
  return creating;
}

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
  let kms = choice.kms ?? [];
  let age = choice.age ?? [];
  if (kms.length === 0 && age.length === 0 && rule !== undefined) {
    kms = rule.kms;
    age = rule.age;
  }
  // A project that configures its keys has said who may read its files: a file its rules miss is a
  // gap in them, not something to seal quietly to this user's personal key (sops refuses too).
  if (kms.length === 0 && age.length === 0 && project !== undefined) throw uncoveredError(project);
  if (kms.length === 0 && age.length === 0 && rule?.where !== undefined)
    throw new UsageError(`${rule.where} names no keys, and no --kms or --age was given (sops refuses such a rule too)`, {
      hint: "add age: or kms: keys to the creation rule, or pass --kms/--age",
    });
  if (kms.length === 0 && age.length === 0) {
    age = [await localOrNewRecipient(services)];
  }
  // A `.sops.yaml` rule's keys keep their role, profile and (key group) context, as sops stores them.
  const spec = (id: string) => rule?.kmsKeys?.find((k) => k.arn === id);
  return [
    ...kms.map((id) => {
      const s = spec(id);
      return s === undefined ? new KmsKey(id, context, services.kms) : new KmsKey(id, s.context ?? context, services.kms, s.awsProfile, s.role);
    }),
    ...age.map((r) => new AgeRecipient(r, services.env)),
  ];
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
