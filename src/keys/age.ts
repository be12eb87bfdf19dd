/**
 * age as a key source: the data key is an age v1 file to one recipient, ASCII-armored, exactly the
 * stanza sops stores in `sops.age[].enc`.
 */
import type { AgeRecord, KeyRecord } from "../core/metadata.js";
import { KmsealError } from "../core/errors.js";
import type { KeySource, KeyUnwrapper } from "./key-source.js";

type AgeModule = typeof import("age-encryption");
let ageModule: Promise<AgeModule> | undefined;
/** Loaded on first use: commands that never touch age keys do not pay for it. */
export function loadAge(): Promise<AgeModule> {
  ageModule ??= import("age-encryption");
  return ageModule;
}

const RECIPIENT = /^age1[0-9a-z]+$/;

export function isAgeRecipient(text: string): boolean {
  return RECIPIENT.test(text) || text.startsWith("ssh-ed25519 ") || text.startsWith("ssh-rsa ");
}

export class AgeRecipient implements KeySource {
  readonly type = "age" as const;
  constructor(readonly id: string) {
    if (!isAgeRecipient(id)) {
      throw new KmsealError("usage", `"${id}" is not an age recipient`, { hint: "age recipients look like age1… (see `kmseal keygen`)" });
    }
  }

  async wrap(dataKey: Uint8Array): Promise<AgeRecord> {
    const age = await loadAge();
    const e = new age.Encrypter();
    e.addRecipient(this.id);
    const enc = age.armor.encode(await e.encrypt(dataKey));
    return { type: "age", recipient: this.id, enc: enc.endsWith("\n") ? enc : enc + "\n" };
  }
}

/** The identities this process holds (from env or key files); recipients computed once. */
export class AgeIdentities implements KeyUnwrapper {
  readonly type = "age" as const;
  private recipients: Promise<Set<string>> | undefined;

  constructor(private readonly identities: readonly string[]) {}

  get size(): number {
    return this.identities.length;
  }

  private ownRecipients(): Promise<Set<string>> {
    this.recipients ??= (async () => {
      const age = await loadAge();
      const out = new Set<string>();
      for (const id of this.identities) {
        try {
          out.add(await age.identityToRecipient(id));
        } catch {
          // identities the library cannot map (plugins) simply are not matched by recipient
        }
      }
      return out;
    })();
    return this.recipients;
  }

  async unwrap(record: KeyRecord): Promise<Uint8Array | null> {
    if (record.type !== "age" || this.identities.length === 0) return null;
    const age = await loadAge();
    const mine = (await this.ownRecipients()).has(record.recipient);
    let file: Uint8Array;
    try {
      file = age.armor.decode(record.enc);
    } catch (err) {
      if (!mine) return null;
      throw new KmsealError("key", `the age stanza for ${record.recipient} is not valid armor: ${(err as Error).message}`);
    }
    const d = new age.Decrypter();
    for (const id of this.identities) d.addIdentity(id);
    try {
      const key = await d.decrypt(file);
      if (key.length !== 32) throw new Error(`it holds ${key.length} bytes, not a 32-byte data key`);
      return key;
    } catch (err) {
      if (!mine) return null;
      throw new KmsealError("key", `the age stanza for ${record.recipient} could not be decrypted: ${(err as Error).message}`);
    }
  }
}
