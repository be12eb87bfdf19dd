/**
 * Which keys protect a file being encrypted: flags win, then the matching `.kmsrc` rule, then the
 * local age identity (created on first use, and said so on stderr).
 */
import { AgeRecipient } from "../keys/age.js";
import { createIdentityFile, localIdentityPath, localRecipient } from "../keys/age-keyring.js";
import type { KeySource } from "../keys/key-source.js";
import { KmsKey } from "../keys/kms.js";
import type { Rule } from "../config/kmsrc.js";
import type { KeyServices } from "./key-services.js";

export interface KeyChoice {
  readonly kms?: readonly string[] | undefined;
  readonly age?: readonly string[] | undefined;
}

export async function keySourcesFor(choice: KeyChoice, rule: Rule | undefined, context: Record<string, string>, services: KeyServices): Promise<KeySource[]> {
  let kms = choice.kms ?? [];
  let age = choice.age ?? [];
  if (kms.length === 0 && age.length === 0 && rule !== undefined) {
    kms = rule.kms;
    age = rule.age;
  }
  if (kms.length === 0 && age.length === 0) {
    let recipient = await localRecipient(services.env);
    if (recipient === null) {
      const created = await createIdentityFile(localIdentityPath(services.env));
      services.notice(`no key configured: created an age identity in ${created.path} (recipient ${created.recipient}); back it up, it is the only way to decrypt`);
      recipient = created.recipient;
    }
    age = [recipient];
  }
  return [...kms.map((id) => new KmsKey(id, context, services.kms)), ...age.map((r) => new AgeRecipient(r))];
}
