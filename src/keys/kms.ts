/**
 * AWS KMS as a key source: Encrypt of the raw 32-byte data key under each key with the file's
 * encryption context; Decrypt with the stored ARN and context (sops's exact calls, so either tool
 * reads the other's files). This module owns the KMS side of the AWS SDK and loads it on the first
 * call, so callers import it statically and age-only commands never load the SDK.
 */
import { checkKmsKeyId } from "./key-ids.js";
import type { KMSClient, KMSClientConfig } from "@aws-sdk/client-kms";
import { KmsealError } from "../core/errors.js";
import type { KeyRecord, KmsRecord } from "../core/metadata.js";
import { nowStamp } from "../core/metadata.js";
import type { KeySource, KeyUnwrapper } from "./key-source.js";

/** Builds (and caches) a KMS client per region; the only place that knows about credentials. */
export interface KmsClients {
  forRegion(region: string): Promise<KMSClient>;
  /** The region for key ids that are not ARNs; may load the AWS settings, once. */
  defaultRegion(): Promise<string | undefined>;
}

type Sdk = typeof import("@aws-sdk/client-kms");
let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdk ??= import("@aws-sdk/client-kms"));

export async function createKmsClient(config: KMSClientConfig): Promise<KMSClient> {
  const { KMSClient } = await loadSdk();
  return new KMSClient(config);
}

const ARN = /^arn:aws[\w-]*:kms:([^:]+):[0-9]+:(key|alias)\/.+$/;

export function regionOfArn(arn: string): string | undefined {
  return ARN.exec(arn)?.[1];
}

async function regionFor(keyId: string, clients: KmsClients): Promise<string> {
  const region = regionOfArn(keyId) ?? (await clients.defaultRegion());
  if (region === undefined) {
    throw new KmsealError("usage", `no AWS region for KMS key ${keyId}`, {
      hint: "use a full key ARN, pass --region, or set AWS_REGION / the profile's region",
    });
  }
  return region;
}

export class KmsKey implements KeySource {
  readonly type = "kms" as const;
  constructor(
    readonly id: string,
    readonly context: Readonly<Record<string, string>>,
    private readonly clients: KmsClients,
    private readonly awsProfile = "",
    /** Recorded in the stanza for sops (which assumes it); kmseal's own calls use its credential chain. */
    readonly role?: string,
  ) {
    checkKmsKeyId(id);
  }

  async wrap(dataKey: Uint8Array): Promise<KmsRecord> {
    const { EncryptCommand } = await loadSdk();
    const client = await this.clients.forRegion(await regionFor(this.id, this.clients));
    let out;
    try {
      out = await client.send(new EncryptCommand({ KeyId: this.id, Plaintext: dataKey, EncryptionContext: { ...this.context } }));
    } catch (err) {
      throw kmsError(err, this.id, "Encrypt");
    }
    if (out.CiphertextBlob === undefined) throw new KmsealError("key", `KMS Encrypt with ${this.id} returned no ciphertext`);
    // `alias/NAME` and bare key ids are stored as the key ARN KMS answered with: sops needs an ARN.
    const arn = out.KeyId !== undefined && ARN.test(out.KeyId) ? out.KeyId : this.id;
    return {
      type: "kms",
      arn,
      awsProfile: this.awsProfile,
      context: { ...this.context },
      createdAt: nowStamp(),
      enc: Buffer.from(out.CiphertextBlob).toString("base64"),
      role: this.role,
    };
  }
}

export class KmsUnwrapper implements KeyUnwrapper {
  readonly type = "kms" as const;
  constructor(private readonly clients: KmsClients) {}

  async unwrap(record: KeyRecord): Promise<Uint8Array | null> {
    if (record.type !== "kms") return null;
    const { DecryptCommand } = await loadSdk();
    const region = regionOfArn(record.arn);
    if (region === undefined) throw new KmsealError("key", `"${record.arn}" is not a KMS key ARN`);
    const client = await this.clients.forRegion(region);
    let out;
    try {
      out = await client.send(
        new DecryptCommand({ CiphertextBlob: Buffer.from(record.enc, "base64"), KeyId: record.arn, EncryptionContext: { ...(record.context ?? {}) } }),
      );
    } catch (err) {
      throw kmsError(err, record.arn, "Decrypt", record.context);
    }
    if (out.Plaintext === undefined || out.Plaintext.length !== 32)
      throw new KmsealError("key", `KMS Decrypt with ${record.arn} did not return a 32-byte data key`);
    return out.Plaintext;
  }
}

const AUTH_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "ExpiredToken",
]);

/** Turns an SDK error into a message that names the key, the state and the next step. */
export function kmsError(err: unknown, keyId: string, operation: string, context?: Readonly<Record<string, string>>): KmsealError {
  if (err instanceof KmsealError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  const name = e.name ?? e.code ?? "Error";
  const detail = (e.message ?? "").split("\n")[0]!.slice(0, 300);
  if (AUTH_ERRORS.has(name) || /Could not load credentials/i.test(detail)) {
    return new KmsealError("auth", `no usable AWS credentials for KMS ${operation} with ${keyId}: ${detail || name}`, {
      hint: "run `kmseal login` (MFA profiles), set AWS_PROFILE, or provide AWS credentials in the environment",
      cause: err,
    });
  }
  const ctx = context?.["file"] !== undefined ? ` (encryption context file=${context["file"]})` : "";
  switch (name) {
    case "DisabledException":
      return new KmsealError("key", `KMS key ${keyId} is disabled (${operation}: ${detail})`, {
        hint: "enable the key (aws kms enable-key) or decrypt with another key listed in the file",
        cause: err,
      });
    case "KMSInvalidStateException":
      return new KmsealError("key", `KMS key ${keyId} is in a state that does not allow ${operation}, e.g. pending deletion (${detail})`, {
        hint: "cancel the key deletion (aws kms cancel-key-deletion) or decrypt with another key listed in the file",
        cause: err,
      });
    case "NotFoundException":
      return new KmsealError("key", `KMS key ${keyId} was not found (${operation})`, { hint: "check the key ARN/alias and the region", cause: err });
    case "AccessDeniedException":
      return new KmsealError("key", `access denied to KMS ${operation} with ${keyId}${ctx}: ${detail}`, {
        hint:
          "your IAM identity needs kms:" +
          operation +
          " on this key; policies often require MFA (run `kmseal login`) and scope access by kms:EncryptionContext:file",
        cause: err,
      });
    case "InvalidCiphertextException":
      return new KmsealError("key", `KMS rejected the stored data key for ${keyId}${ctx}: the ciphertext or its encryption context does not match`, {
        cause: err,
      });
    default:
      return new KmsealError("key", `KMS ${operation} with ${keyId} failed: ${name}${detail ? ": " + detail : ""}`, {
        hint: "retry; if it persists, check network access to KMS and the key's state",
        cause: err,
      });
  }
}

/** The record re-bound to a new encryption context: ReEncrypt, or Decrypt+Encrypt where ReEncrypt is not permitted. */
export async function rebindKms(
  k: KmsRecord,
  context: Record<string, string>,
  clients: KmsClients,
): Promise<{ record: KmsRecord; method: "ReEncrypt" | "Decrypt+Encrypt" }> {
  const sdk = await loadSdk();
  const region = regionOfArn(k.arn);
  if (region === undefined) throw new KmsealError("key", `"${k.arn}" is not a KMS key ARN`);
  const client = await clients.forRegion(region);
  const blob = Buffer.from(k.enc, "base64");
  try {
    const out = await client.send(
      new sdk.ReEncryptCommand({
        CiphertextBlob: blob,
        SourceKeyId: k.arn,
        SourceEncryptionContext: { ...(k.context ?? {}) },
        DestinationKeyId: k.arn,
        DestinationEncryptionContext: context,
      }),
    );
    if (out.CiphertextBlob === undefined) throw new KmsealError("key", `KMS ReEncrypt with ${k.arn} returned no ciphertext`);
    return { record: { ...k, context, enc: Buffer.from(out.CiphertextBlob).toString("base64") }, method: "ReEncrypt" };
  } catch (err) {
    if ((err as { name?: string }).name !== "AccessDeniedException") throw kmsError(err, k.arn, "ReEncrypt", k.context);
  }
  // ReEncrypt not permitted: the data key passes through this process once, then is wiped.
  let plain: Uint8Array | undefined;
  try {
    const dec = await client.send(new sdk.DecryptCommand({ CiphertextBlob: blob, KeyId: k.arn, EncryptionContext: { ...(k.context ?? {}) } }));
    plain = dec.Plaintext;
    const enc = await client.send(new sdk.EncryptCommand({ KeyId: k.arn, Plaintext: plain, EncryptionContext: context }));
    if (enc.CiphertextBlob === undefined) throw new KmsealError("key", `KMS Encrypt with ${k.arn} returned no ciphertext`);
    return { record: { ...k, context, enc: Buffer.from(enc.CiphertextBlob).toString("base64") }, method: "Decrypt+Encrypt" };
  } catch (err) {
    throw kmsError(err, k.arn, "Decrypt+Encrypt", k.context);
  } finally {
    plain?.fill(0);
  }
}
