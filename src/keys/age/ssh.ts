/**
 * age's SSH key types (the `agessh` recipients sops reads): `ssh-ed25519` and `ssh-rsa` public keys
 * as recipients, OpenSSH (and PEM) private keys as identities, with node:crypto alone.
 *
 * ssh-ed25519: the Ed25519 key is mapped to its X25519 (Montgomery) form; the X25519 share is
 * multiplied by a tweak derived from the SSH public key, so the stanza is bound to that exact key.
 * ssh-rsa: RSA-OAEP-SHA256 with age's label. Both name the key by the first 4 bytes of the SHA-256
 * of its SSH wire encoding, so an identity skips stanzas for other keys without trying them.
 */
import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import { b64, chacha, hkdf, unb64, unchacha, type AgeFile, type Stanza } from "./format.js";
import { x25519, x25519Ephemeral, x25519PrivateKey, x25519PublicOf } from "./x25519.js";

const ED25519_LABEL = "age-encryption.org/v1/ssh-ed25519";
const RSA_LABEL = "age-encryption.org/v1/ssh-rsa";
const ZERO_NONCE = Buffer.alloc(12);
const MIN_RSA_BITS = 2048;

export type SshKeyType = "ssh-ed25519" | "ssh-rsa";

export interface SshPublicKey {
  readonly type: SshKeyType;
  /** The SSH wire encoding of the public key (what `authorized_keys` holds in base64). */
  readonly blob: Buffer;
  /** ssh-ed25519: the X25519 form of the key. */
  readonly montgomery?: Buffer;
  /** ssh-rsa: the public key object. */
  readonly rsa?: KeyObject;
}

export interface SshIdentity {
  readonly publicKey: SshPublicKey;
  /** Where it came from, for messages ("~/.ssh/id_ed25519", "SOPS_AGE_SSH_PRIVATE_KEY_FILE"). */
  readonly source: string;
  /** null when the key is passphrase-protected: it is recognised by its public half, never opened. */
  readonly secret: { readonly x25519: KeyObject; readonly x25519Public: Buffer } | { readonly rsa: KeyObject } | null;
}

/** SSH wire reader: uint32-length-prefixed strings. */
class Wire {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos === this.buf.length;
  }
  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error("truncated SSH key");
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  string(): Buffer {
    const n = this.uint32();
    if (this.pos + n > this.buf.length) throw new Error("truncated SSH key");
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  text(): string {
    return this.string().toString("latin1");
  }
  rest(): Buffer {
    return this.buf.subarray(this.pos);
  }
}

const sshString = (b: Uint8Array): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};

/** An SSH mpint as unsigned big-endian bytes (without the sign byte), base64url for a JWK. */
const mpintJwk = (b: Buffer): string => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i).toString("base64url");
};

// Curve25519 field arithmetic, only for mapping an Ed25519 public key to its Montgomery form.
const P = (1n << 255n) - 19n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;
function pow(base: bigint, exp: bigint): bigint {
  let r = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}
const inv = (a: bigint): bigint => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));

/**
 * u = (1 + y) / (1 − y) for an Ed25519 point given by its 32-byte encoding; throws when the bytes
 * are not a point on the curve (x² = (y² − 1) / (d·y² + 1) must be a square).
 */
function edwardsToMontgomery(pk: Buffer): Buffer {
  if (pk.length !== 32) throw new Error("an Ed25519 key is 32 bytes");
  const le = Buffer.from(pk);
  le[31]! &= 0x7f;
  const y = mod(BigInt("0x" + Buffer.from(le).reverse().toString("hex")));
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * inv(mod(D * y2 + 1n)));
  if (x2 !== 0n && pow(x2, (P - 1n) / 2n) !== 1n) throw new Error("not a point on the Ed25519 curve");
  if (x2 === 0n && (pk[31]! & 0x80) !== 0) throw new Error("not a valid Ed25519 encoding");
  const u = mod((1n + y) * inv(mod(1n - y)));
  return Buffer.from(u.toString(16).padStart(64, "0"), "hex").reverse();
}

/** The public key in an SSH wire blob; throws with the reason when it is not one age can use. */
export function sshPublicKeyFromBlob(blob: Buffer): SshPublicKey {
  const w = new Wire(blob);
  const type = w.text();
  if (type === "ssh-ed25519") {
    const key = w.string();
    if (!w.done) throw new Error("trailing bytes after the key");
    return { type, blob, montgomery: edwardsToMontgomery(key) };
  }
  if (type === "ssh-rsa") {
    const e = w.string();
    const n = w.string();
    if (!w.done) throw new Error("trailing bytes after the key");
    const rsa = createPublicKey({ key: { kty: "RSA", n: mpintJwk(n), e: mpintJwk(e) }, format: "jwk" });
    const bits = rsa.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new Error(`an RSA key of ${bits} bits is too small (age needs at least ${MIN_RSA_BITS})`);
    return { type, blob, rsa };
  }
  throw new Error(`age cannot use SSH keys of type ${type}`);
}

/**
 * An `authorized_keys`-style line, `TYPE BASE64 [COMMENT]`, as sops and age take it. Throws with
 * the reason when it is not an ssh-ed25519 or ssh-rsa key.
 */
export function parseSshRecipient(line: string): SshPublicKey {
  const parts = line.trim().split(/\s+/);
  const [type, data] = parts;
  if (type !== "ssh-ed25519" && type !== "ssh-rsa") throw new Error("only ssh-ed25519 and ssh-rsa keys are age recipients");
  if (data === undefined) throw new Error("the base64 key is missing");
  const blob = Buffer.from(data, "base64");
  // Canonical, padded base64, as age and sops require (Go's StdEncoding).
  if (blob.length === 0 || blob.toString("base64") !== data) throw new Error("the key is not valid base64");
  const key = sshPublicKeyFromBlob(blob);
  if (key.type !== type) throw new Error(`the line says ${type} but holds an ${key.type} key`);
  return key;
}

/** age's stanza tag for a key: the first 4 bytes of the SHA-256 of its wire encoding. */
export const sshTag = (key: SshPublicKey): string => b64(createHash("sha256").update(key.blob).digest().subarray(0, 4));

/** The tweak: HKDF-SHA-256 with an empty secret, the key's wire encoding as salt, age's label as info. */
const tweakOf = (key: SshPublicKey): KeyObject => x25519PrivateKey(hkdf(Buffer.alloc(0), key.blob, ED25519_LABEL));

export function sshWrap(key: SshPublicKey, fileKey: Uint8Array): Stanza {
  if (key.type === "ssh-rsa") {
    const body = publicEncrypt({ key: key.rsa!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(RSA_LABEL) }, fileKey);
    return { type: "ssh-rsa", args: [sshTag(key)], body };
  }
  const { privateKey, share } = x25519Ephemeral();
  const shared = x25519(tweakOf(key), x25519(privateKey, key.montgomery!));
  const wrapKey = hkdf(shared, Buffer.concat([share, key.montgomery!]), ED25519_LABEL);
  return { type: "ssh-ed25519", args: [sshTag(key), b64(share)], body: chacha(wrapKey, ZERO_NONCE, fileKey) };
}

export class SshLockedError extends Error {
  constructor(readonly identity: SshIdentity) {
    super(`${identity.source} is passphrase-protected`);
  }
}

/**
 * The file key from the first SSH stanza one of `identities` opens; null when no stanza is for
 * them. Throws for a malformed SSH stanza, for one whose tag is ours but does not open (a tampered
 * file), and SshLockedError for a stanza to a passphrase-protected key.
 */
export function sshUnwrap(identities: readonly SshIdentity[], file: AgeFile): Buffer | null {
  for (const s of file.stanzas) {
    if (s.type === "ssh-rsa") {
      if (s.args.length !== 1) throw new Error("invalid ssh-rsa stanza");
      for (const id of identities) {
        if (id.publicKey.type !== "ssh-rsa" || sshTag(id.publicKey) !== s.args[0]) continue;
        if (id.secret === null) throw new SshLockedError(id);
        try {
          return privateDecrypt(
            { key: (id.secret as { rsa: KeyObject }).rsa, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(RSA_LABEL) },
            s.body,
          );
        } catch {
          throw new Error("the ssh-rsa stanza does not decrypt with the matching key");
        }
      }
    } else if (s.type === "ssh-ed25519") {
      const share = s.args.length === 2 ? unb64(s.args[1]!) : null;
      if (share === null || share.length !== 32) throw new Error("invalid ssh-ed25519 stanza");
      for (const id of identities) {
        if (id.publicKey.type !== "ssh-ed25519" || sshTag(id.publicKey) !== s.args[0]) continue;
        if (id.secret === null) throw new SshLockedError(id);
        const secret = id.secret as { x25519: KeyObject; x25519Public: Buffer };
        const shared = x25519(tweakOf(id.publicKey), x25519(secret.x25519, share));
        const wrapKey = hkdf(shared, Buffer.concat([share, secret.x25519Public]), ED25519_LABEL);
        const fileKey = unchacha(wrapKey, ZERO_NONCE, s.body);
        if (fileKey === null) throw new Error("the ssh-ed25519 stanza does not decrypt with the matching key");
        return fileKey;
      }
    }
  }
  return null;
}

const OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
const AUTH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

/** Whether a key file's text looks like an SSH private key (OpenSSH or PEM). */
export function looksLikeSshPrivateKey(text: string): boolean {
  return /-----BEGIN (?:OPENSSH |RSA |)PRIVATE KEY-----/.test(text);
}

function ed25519Secret(seed: Buffer): SshIdentity["secret"] {
  const scalar = createHash("sha512").update(seed).digest().subarray(0, 32);
  const x = x25519PrivateKey(scalar);
  return { x25519: x, x25519Public: x25519PublicOf(x) };
}

/**
 * An SSH private key file's text as an identity; throws with the reason when age cannot use it. A
 * passphrase-protected OpenSSH key gives an identity without its secret half (its public key is
 * stored in clear), so a stanza for it is recognised and refused with a clear message.
 */
export function parseSshIdentity(text: string, source: string): SshIdentity {
  const trimmed = text.trim();
  if (trimmed.startsWith(OPENSSH_BEGIN)) return parseOpenSsh(trimmed, source);
  if (/^-----BEGIN (?:RSA |)PRIVATE KEY-----/.test(trimmed)) {
    if (/Proc-Type:\s*4,ENCRYPTED/.test(trimmed)) throw new Error("it is passphrase-protected, and kmseal cannot unlock SSH keys");
    const key = createPrivateKey({ key: trimmed, format: "pem" });
    if (key.asymmetricKeyType === "ed25519") {
      const jwk = key.export({ format: "jwk" });
      const pub = Buffer.from(jwk.x!, "base64url");
      const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(pub)]);
      return { source, publicKey: sshPublicKeyFromBlob(blob), secret: ed25519Secret(Buffer.from(jwk.d!, "base64url")) };
    }
    if (key.asymmetricKeyType === "rsa") {
      const jwk = key.export({ format: "jwk" });
      const blob = Buffer.concat([
        sshString(Buffer.from("ssh-rsa")),
        sshString(mpintOf(Buffer.from(jwk.e!, "base64url"))),
        sshString(mpintOf(Buffer.from(jwk.n!, "base64url"))),
      ]);
      return { source, publicKey: sshPublicKeyFromBlob(blob), secret: { rsa: key } };
    }
    throw new Error(`age cannot use ${key.asymmetricKeyType ?? "these"} keys`);
  }
  throw new Error("not an SSH private key");
}

/** Unsigned big-endian bytes as an SSH mpint (a leading zero when the top bit is set). */
const mpintOf = (b: Buffer): Buffer => ((b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.alloc(1), b]) : b);

function parseOpenSsh(text: string, source: string): SshIdentity {
  const end = text.indexOf(OPENSSH_END);
  if (end < 0) throw new Error("the OpenSSH key has no end line");
  const raw = Buffer.from(text.slice(OPENSSH_BEGIN.length, end).replace(/\s+/g, ""), "base64");
  if (!raw.subarray(0, AUTH_MAGIC.length).equals(AUTH_MAGIC)) throw new Error("not an openssh-key-v1 key");
  const w = new Wire(raw.subarray(AUTH_MAGIC.length));
  const cipher = w.text();
  w.text(); // kdf name
  w.string(); // kdf options
  if (w.uint32() !== 1) throw new Error("an OpenSSH file with several keys");
  const publicKey = sshPublicKeyFromBlob(Buffer.from(w.string()));
  const sealed = w.string();
  if (cipher !== "none") return { source, publicKey, secret: null };
  const p = new Wire(sealed);
  if (p.uint32() !== p.uint32()) throw new Error("the OpenSSH key's check bytes differ");
  const type = p.text();
  if (type !== publicKey.type) throw new Error("the OpenSSH key's private half is of another type");
  if (type === "ssh-ed25519") {
    const pub = p.string();
    const priv = p.string();
    if (priv.length !== 64 || !priv.subarray(32).equals(pub)) throw new Error("the Ed25519 private key is malformed");
    return { source, publicKey, secret: ed25519Secret(Buffer.from(priv.subarray(0, 32))) };
  }
  const n = p.string();
  const e = p.string();
  const d = p.string();
  const iqmp = p.string();
  const pp = p.string();
  const q = p.string();
  const big = (b: Buffer) => BigInt("0x" + (b.toString("hex") || "0"));
  const hex = (v: bigint): Buffer => {
    const h = v.toString(16);
    return Buffer.from(h.length % 2 === 1 ? "0" + h : h, "hex");
  };
  const jwk = {
    kty: "RSA",
    n: mpintJwk(n),
    e: mpintJwk(e),
    d: mpintJwk(d),
    p: mpintJwk(pp),
    q: mpintJwk(q),
    dp: hex(big(d) % (big(pp) - 1n)).toString("base64url"),
    dq: hex(big(d) % (big(q) - 1n)).toString("base64url"),
    qi: mpintJwk(iqmp),
  };
  return { source, publicKey, secret: { rsa: createPrivateKey({ key: jwk, format: "jwk" }) } };
}

/** The key blob of a recipient line, or null when it is not an SSH recipient. */
export const sshRecipientBlob = (recipient: string): Buffer | null => {
  try {
    return parseSshRecipient(recipient).blob;
  } catch {
    return null;
  }
};
