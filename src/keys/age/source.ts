/**
 * age as a key source: the data key is an age v1 file to one recipient, ASCII-armored, exactly the
 * stanza sops stores in `sops.age[].enc`.
 */
import { checkAgeRecipientEncoding } from "../key-ids.js";
import type { AgeRecord, KeyRecord } from "../../core/metadata.js";
import { KmsealError } from "../../core/errors.js";
import type { KeySource, KeyUnwrapper } from "../key-source.js";
import { x25519Decrypt, x25519Encrypt, x25519Identity, x25519RecipientKey, x25519RecipientOf } from "./x25519.js";

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
    checkAgeRecipientEncoding(id);
  }

  async wrap(dataKey: Uint8Array): Promise<AgeRecord> {
    const native = x25519RecipientKey(this.id);
    if (native !== null) return { type: "age", recipient: this.id, enc: x25519Encrypt(native, dataKey) };
    const age = await loadAge();
    const e = new age.Encrypter();
    e.addRecipient(this.id);
    const enc = age.armor.encode(await e.encrypt(dataKey));
    return { type: "age", recipient: this.id, enc: enc.endsWith("\n") ? enc : enc + "\n" };
  }
}

/**
 * The identities this process holds (from env or key files). X25519 identities are handled
 * natively; others (post-quantum, plugins) through the age-encryption package, loaded only then.
 */
export class AgeIdentities implements KeyUnwrapper {
  readonly type = "age" as const;
  private readonly native: NonNullable<ReturnType<typeof x25519Identity>>[] = [];
  private readonly nativeRecipients = new Set<string>();
  private readonly others: string[] = [];
  private otherRecipients: Promise<Set<string>> | undefined;

  constructor(private readonly identities: readonly string[]) {
    for (const id of identities) {
      const native = x25519Identity(id);
      if (native === null) {
        this.others.push(id);
        continue;
      }
      this.native.push(native);
      this.nativeRecipients.add(x25519RecipientOf(id)!);
    }
  }

  get size(): number {
    return this.identities.length;
  }

  private async isMine(recipient: string): Promise<boolean> {
    if (this.nativeRecipients.has(recipient)) return true;
    if (this.others.length === 0) return false;
    this.otherRecipients ??= (async () => {
      const age = await loadAge();
      const out = new Set<string>();
      for (const id of this.others) {
        try {
          out.add(await age.identityToRecipient(id));
        } catch {
          // identities the library cannot map (plugins) simply are not matched by recipient
        }
      }
      return out;
    })();
    return (await this.otherRecipients).has(recipient);
  }

  async unwrap(record: KeyRecord): Promise<Uint8Array | null> {
    if (record.type !== "age" || this.identities.length === 0) return null;
    const fail = async (why: string): Promise<null> => {
      if (await this.isMine(record.recipient)) throw new KmsealError("key", `the age stanza for ${record.recipient} could not be decrypted: ${why}`);
      return null;
    };
    if (this.native.length > 0) {
      let key: Uint8Array | null;
      try {
        key = x25519Decrypt(this.native, record.enc);
      } catch (err) {
        return fail((err as Error).message);
      }
      if (key !== null) return key.length === 32 ? key : fail(`it holds ${key.length} bytes, not a 32-byte data key`);
    }
    if (this.others.length === 0) return fail("no identity matches it");
    const age = await loadAge();
    let file: Uint8Array;
    try {
      file = age.armor.decode(record.enc);
    } catch (err) {
      return fail(`not valid armor: ${(err as Error).message}`);
    }
    const d = new age.Decrypter();
    for (const id of this.others) d.addIdentity(id);
    try {
      const key = await d.decrypt(file);
      return key.length === 32 ? key : await fail(`it holds ${key.length} bytes, not a 32-byte data key`);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
}
