/**
 * age as a key source: the data key is an age v1 file to one recipient, ASCII-armored, exactly the
 * stanza sops stores in `sops.age[].enc`. Every recipient type sops accepts: X25519 (`age1…`), SSH
 * (`ssh-ed25519 …`, `ssh-rsa …`) and plugins (`age1NAME1…`) natively; post-quantum and tag
 * recipients (`age1pq1…`, `age1tag1…`) through the age-encryption package.
 */
import { randomBytes } from "node:crypto";
import { checkAgeRecipientEncoding } from "../key-ids.js";
import type { AgeRecord, KeyRecord } from "../../core/metadata.js";
import { KmsealError } from "../../core/errors.js";
import type { KeySource, KeyUnwrapper } from "../key-source.js";
import { bech32Decode, dearmor, encryptAgeFile, FILE_KEY_SIZE, openAgeFile, parseAgeFile, type AgeFile } from "./format.js";
import { keyCommandVariable, runKeyCommand } from "./key-command.js";
import { loadSshIdentities, parseIdentities, type Env } from "./keyring.js";
import { pluginIdentityName, pluginRecipientName, pluginUnwrap, pluginWrap } from "./plugin.js";
import { parseSshIdentity, parseSshRecipient, sshRecipientBlob, SshLockedError, sshUnwrap, sshWrap, type SshIdentity, type SshPublicKey } from "./ssh.js";
import { loadAge } from "./typage.js";
import { x25519Encrypt, x25519Identity, x25519RecipientKey, x25519RecipientOf, x25519Unwrap, type NativeIdentity } from "./x25519.js";

export { loadAge } from "./typage.js";

/** Recipient types the age-encryption package implements (by bech32 prefix). */
const TYPAGE_PREFIXES = new Set(["age1pq", "age1tag", "age1tagpq"]);

type Kind = { kind: "x25519"; key: Uint8Array } | { kind: "ssh"; key: SshPublicKey } | { kind: "typage" } | { kind: "plugin"; name: string };

const notRecipient = (id: string, why: string): KmsealError =>
  new KmsealError("usage", `"${id}" is not an age recipient: ${why}`, {
    hint: "age recipients look like age1… (see `kmseal keygen`), ssh-ed25519 AAAA… or ssh-rsa AAAA… (a public key line), or age1NAME1… for a plugin",
  });

/** What kind of recipient `id` is; throws a usage error (exit 2) naming it when it is none. */
function classify(id: string): Kind {
  if (id.startsWith("ssh-")) {
    try {
      return { kind: "ssh", key: parseSshRecipient(id) };
    } catch (err) {
      throw notRecipient(id, (err as Error).message);
    }
  }
  if (!/^age1[0-9a-z]+$/.test(id) && !/^age1[0-9a-z+\-._]+1[0-9a-z]+$/.test(id)) throw notRecipient(id, "it is neither age1…, ssh-ed25519 nor ssh-rsa");
  checkAgeRecipientEncoding(id);
  const native = x25519RecipientKey(id);
  if (native !== null) return { kind: "x25519", key: native };
  const hrp = bech32Decode(id)?.hrp;
  if (hrp !== undefined && TYPAGE_PREFIXES.has(hrp)) return { kind: "typage" };
  const name = pluginRecipientName(id);
  if (name !== null) return { kind: "plugin", name };
  throw notRecipient(id, "its encoding is invalid");
}

export function isAgeRecipient(text: string): boolean {
  try {
    classify(text);
    return true;
  } catch {
    return false;
  }
}

export class AgeRecipient implements KeySource {
  readonly type = "age" as const;
  private readonly kind: Kind;
  constructor(
    readonly id: string,
    private readonly env: Env = process.env,
  ) {
    this.kind = classify(id);
  }

  async wrap(dataKey: Uint8Array): Promise<AgeRecord> {
    const k = this.kind;
    if (k.kind === "x25519") return { type: "age", recipient: this.id, enc: x25519Encrypt(k.key, dataKey) };
    if (k.kind === "ssh" || k.kind === "plugin") {
      const fileKey = randomBytes(FILE_KEY_SIZE);
      try {
        const stanzas = k.kind === "ssh" ? [sshWrap(k.key, fileKey)] : await pluginWrap(this.id, fileKey, this.env);
        return { type: "age", recipient: this.id, enc: encryptAgeFile(stanzas, fileKey, dataKey) };
      } finally {
        fileKey.fill(0);
      }
    }
    const age = await loadAge();
    const e = new age.Encrypter();
    try {
      e.addRecipient(this.id);
    } catch (err) {
      throw notRecipient(this.id, (err as Error).message);
    }
    const enc = age.armor.encode(await e.encrypt(dataKey));
    return { type: "age", recipient: this.id, enc: enc.endsWith("\n") ? enc : enc + "\n" };
  }
}

/**
 * The identities this process holds: the age identities given (from variables and key files),
 * then, when a file needs them, the SSH keys sops would use, plugins, and the key command.
 * X25519 and SSH are handled natively; post-quantum through the age-encryption package.
 */
export class AgeIdentities implements KeyUnwrapper {
  readonly type = "age" as const;
  private readonly native: NativeIdentity[] = [];
  private readonly nativeRecipients = new Set<string>();
  private readonly plugins: string[] = [];
  private readonly others: string[] = [];
  private otherRecipients: Promise<Set<string>> | undefined;
  private ssh: Promise<SshIdentity[]> | undefined;
  /** Identities from the key command, per recipient it was run for (sops runs it per recipient). */
  private readonly fromCommand = new Map<string, Promise<AgeIdentities>>();
  private readonly sshCommand = new Map<string, Promise<SshIdentity[]>>();

  constructor(
    private readonly identities: readonly string[],
    private readonly env: Env = process.env,
    private readonly useCommand = true,
  ) {
    for (const id of identities) {
      const native = x25519Identity(id);
      if (native !== null) {
        this.native.push(native);
        this.nativeRecipients.add(x25519RecipientOf(id)!);
      } else if (pluginIdentityName(id) !== null) {
        this.plugins.push(id);
      } else {
        this.others.push(id);
      }
    }
  }

  get size(): number {
    return this.identities.length;
  }

  private sshIdentities(): Promise<SshIdentity[]> {
    this.ssh ??= loadSshIdentities(this.env);
    return this.ssh;
  }

  /** The SSH key printed by KMSEAL_AGE_SSH_PRIVATE_KEY_CMD / SOPS_AGE_SSH_PRIVATE_KEY_CMD (sops 3.12+), run once per recipient. */
  private sshFromCommand(recipient: string): Promise<SshIdentity[]> {
    const variable = keyCommandVariable(this.env, ["KMSEAL_AGE_SSH_PRIVATE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_CMD"]);
    if (variable === null || !this.useCommand) return Promise.resolve([]);
    let ids = this.sshCommand.get(recipient);
    if (ids === undefined) {
      ids = runKeyCommand(variable, this.env, recipient).then((out) => {
        try {
          return [parseSshIdentity(out, variable.name)];
        } catch (err) {
          throw new KmsealError("key", `${variable.name} did not print an SSH private key age can use: ${(err as Error).message}`, {
            hint: "it must print an unencrypted ssh-ed25519 or ssh-rsa private key",
          });
        }
      });
      this.sshCommand.set(recipient, ids);
    }
    return ids;
  }

  private async isMine(recipient: string): Promise<boolean> {
    if (this.nativeRecipients.has(recipient)) return true;
    const blob = sshRecipientBlob(recipient);
    if (blob !== null) return (await this.sshIdentities()).some((i) => i.publicKey.blob.equals(blob));
    if (this.others.length === 0) return false;
    this.otherRecipients ??= (async () => {
      const age = await loadAge();
      const out = new Set<string>();
      for (const id of this.others) {
        try {
          out.add(await age.identityToRecipient(id));
        } catch {
          // identities the library cannot map simply are not matched by recipient
        }
      }
      return out;
    })();
    return (await this.otherRecipients).has(recipient);
  }

  async unwrap(record: KeyRecord): Promise<Uint8Array | null> {
    if (record.type !== "age") return null;
    const fail = async (why: string): Promise<null> => {
      if (await this.isMine(record.recipient)) throw new KmsealError("key", `the age stanza for ${record.recipient} could not be decrypted: ${why}`);
      return null;
    };
    let file: AgeFile;
    try {
      file = parseAgeFile(dearmor(record.enc));
    } catch (err) {
      return fail((err as Error).message);
    }
    try {
      let fileKey = x25519Unwrap(this.native, file);
      if (fileKey === null && file.stanzas.some((s) => s.type.startsWith("ssh-"))) {
        fileKey = sshUnwrap(await this.sshIdentities(), file) ?? sshUnwrap(await this.sshFromCommand(record.recipient), file);
      }
      if (fileKey !== null) return await this.open(file, fileKey, fail);
    } catch (err) {
      if (err instanceof SshLockedError) {
        throw new KmsealError("key", `the age stanza for ${record.recipient} is for ${err.message}, and kmseal cannot unlock SSH keys`, {
          hint: "use an unencrypted copy of the key (ssh-keygen -p -N '' -f COPY) named by KMSEAL_AGE_SSH_PRIVATE_KEY_FILE, or an age identity",
        });
      }
      if (err instanceof KmsealError) throw err;
      return fail((err as Error).message);
    }
    if (this.others.length > 0) {
      const age = await loadAge();
      const d = new age.Decrypter();
      for (const id of this.others) {
        try {
          d.addIdentity(id);
        } catch {
          // The identity itself is secret: say what kind of line is wrong, never the line.
          throw new KmsealError("key", "an age identity is malformed: not an AGE-SECRET-KEY-1…, AGE-SECRET-KEY-PQ-1… or AGE-PLUGIN-…-1… key", {
            hint: "check the identities in KMSEAL_AGE_KEY / SOPS_AGE_KEY and the key files (a cut-off or mistyped line)",
          });
        }
      }
      try {
        const key = await d.decrypt(age.armor.decode(record.enc));
        return key.length === 32 ? key : await fail(`it holds ${key.length} bytes, not a 32-byte data key`);
      } catch (err) {
        if (!/no identity matched/.test((err as Error).message)) return fail((err as Error).message);
      }
    }
    // A plugin is started only for a file holding a stanza type kmseal does not open itself.
    if (file.stanzas.some((s) => !NATIVE_STANZAS.has(s.type))) {
      for (const id of this.plugins) {
        const fileKey = await pluginUnwrap(id, file.stanzas, this.env);
        if (fileKey !== null) return this.open(file, fileKey, fail);
      }
    }
    const fromCommand = await this.commandIdentities(record.recipient);
    return fromCommand === null ? fail("no identity matches it") : fromCommand.unwrap(record);
  }

  private async open(file: AgeFile, fileKey: Buffer, fail: (why: string) => Promise<null>): Promise<Uint8Array | null> {
    try {
      const key = openAgeFile(file, fileKey, 1);
      return key.length === 32 ? key : await fail(`it holds ${key.length} bytes, not a 32-byte data key`);
    } catch (err) {
      return await fail((err as Error).message);
    } finally {
      fileKey.fill(0);
    }
  }

  /** Identities from the key command (run at most once per recipient), or null when there is none. */
  private async commandIdentities(recipient: string): Promise<AgeIdentities | null> {
    if (!this.useCommand) return null;
    const variable = keyCommandVariable(this.env);
    if (variable === null) return null;
    let ids = this.fromCommand.get(recipient);
    if (ids === undefined) {
      ids = runKeyCommand(variable, this.env, recipient).then((out) => {
        const parsed = parseIdentities(out);
        if (parsed.length === 0)
          throw new KmsealError("key", `${variable.name} printed no age identity`, { hint: "it must print AGE-SECRET-KEY-1… lines, as a key file holds" });
        return new AgeIdentities(parsed, this.env, false);
      });
      this.fromCommand.set(recipient, ids);
    }
    return ids;
  }
}

/** Stanza types kmseal opens itself: a plugin is started only for a file holding some other type. */
const NATIVE_STANZAS = new Set(["X25519", "ssh-ed25519", "ssh-rsa", "mlkem768x25519", "scrypt"]);
