/**
 * The one table of key-source kinds. Everything outside a kind's own module that has to know the
 * kinds (which flag and `.kmsrc` field name its keys, how a key name is recognised, how it wraps and
 * unwraps, how a stored record is named for people) reads this table, so a new kind is its module
 * plus one entry here (and its record shape in core/metadata.ts, which the sops format owns).
 * A kind's module loads on first use: an age-only run never loads the KMS source, and the reverse.
 */
import type { KeyRecord } from "../core/metadata.js";
import type { Env } from "./age/keyring.js";
import type { KeySource, KeyUnwrapper } from "./key-source.js";
import type { KmsClients } from "./kms.js";

export type KeyKind = KeyRecord["type"];

/** What a kind may use to build its sources and unwrappers; ops hands it over (it owns the AWS wiring). */
export interface KeyKindServices {
  readonly env: Env;
  readonly kms: KmsClients;
  /** Messages for the user (stderr), e.g. "created an age identity". */
  readonly notice: (message: string) => void;
}

export interface KeyKindEntry<K extends KeyKind = KeyKind> {
  readonly kind: K;
  /**
   * The flag (`--kms`, `--age`), the `.kmsrc` rule field and the `sops` metadata list that hold keys
   * of this kind; the same word in all three, as sops has it.
   */
  readonly field: K;
  /** How `updatekeys` names keys of this kind in its sentence: one, several. */
  readonly label: readonly [string, string];
  /** Local keys (no network, no prompt) are tried first on decrypt. */
  readonly local: boolean;
  /**
   * Whether a key name is of this kind by its text alone (to describe names already validated);
   * absent: the kind takes every name no other kind recognises. Validation is the source's job.
   */
  readonly recognises?: (id: string) => boolean;
  /** The record's name for people and messages (an ARN, a recipient). */
  recordId(record: Extract<KeyRecord, { type: K }>): string;
  /**
   * A source that wraps data keys to the key `id` names; throws a usage error for a bad name.
   * `stanza`: what a `.sops.yaml` key stores besides its name (KMS: the profile and role sops records).
   */
  source(
    id: string,
    context: Readonly<Record<string, string>>,
    services: KeyKindServices,
    stanza?: { readonly awsProfile?: string | undefined; readonly role?: string | undefined },
  ): Promise<KeySource>;
  /** The unwrapper decrypt tries for this kind's records. */
  unwrapper(services: KeyKindServices): Promise<KeyUnwrapper>;
  /** The key to seal to when nothing names one (flags, rules): at most one kind has it. */
  defaultKey?(services: KeyKindServices): Promise<string>;
}

const kms: KeyKindEntry<"kms"> = {
  kind: "kms",
  field: "kms",
  label: ["KMS key", "KMS keys"],
  local: false,
  recordId: (record) => record.arn,
  source: async (id, context, services, stanza) => new (await import("./kms.js")).KmsKey(id, context, services.kms, stanza?.awsProfile, stanza?.role),
  unwrapper: async (services) => new (await import("./kms.js")).KmsUnwrapper(services.kms),
};

let creating: Promise<string> | undefined;

const age: KeyKindEntry<"age"> = {
  kind: "age",
  field: "age",
  label: ["age recipient", "age recipients"],
  local: true,
  // age1… (X25519, post-quantum and plugin recipients alike) or an SSH public key.
  recognises: (id) => /^(age1|ssh-)/.test(id),
  recordId: (record) => record.recipient,
  source: async (id, _context, services) => new (await import("./age/source.js")).AgeRecipient(id, services.env),
  unwrapper: async (services) => {
    const [{ AgeIdentities }, { loadIdentities }] = await Promise.all([import("./age/source.js"), import("./age/keyring.js")]);
    return new AgeIdentities(await loadIdentities(services.env), services.env);
  },
  /** The local identity's recipient, creating the identity once even when many files ask at the same time. */
  defaultKey: async (services) => {
    const { createIdentityFile, localIdentityPath, localRecipient } = await import("./age/keyring.js");
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
  },
};

/** Every kind, keyed by its record type: a KeyRecord variant without an entry does not compile. */
const BY_KIND: { readonly [K in KeyKind]: KeyKindEntry<K> } = { kms, age };

/** In the order keys are named, wrapped and listed (KMS first, as sops lists them). */
// Each entry takes only its own records; through the union type the table hands each one only those.
export const KEY_KINDS = Object.values(BY_KIND) as readonly KeyKindEntry[];

export function keyKind<K extends KeyKind>(kind: K): KeyKindEntry<K> {
  return BY_KIND[kind];
}

/** A record's name for people: the KMS ARN or the age recipient. */
export function recordId(record: KeyRecord): string {
  return (BY_KIND[record.type] as KeyKindEntry).recordId(record);
}

/** The kind a key name is, by its text (see `recognises`). */
export function kindOfId(id: string): KeyKindEntry {
  const kind = KEY_KINDS.find((k) => k.recognises?.(id) === true) ?? KEY_KINDS.find((k) => k.recognises === undefined);
  if (kind === undefined) throw new Error("the key registry has no kind that takes any name");
  return kind;
}
