/**
 * The shape of a key name given on the command line or in a `.kmsrc`, checked before any key is
 * used, so a typo is exit 2 naming it rather than an SDK or bech32 error deep inside a wrap.
 * Recipients and key ids are public, so naming them in messages is safe.
 */
import { KmsealError } from "../core/errors.js";
import { bech32Decode } from "./age/x25519.js";

const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]+$/;
const KMS_KEY_ID = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function checkKmsKeyId(id: string): void {
  if (KMS_ARN.test(id) || KMS_ALIAS.test(id) || KMS_KEY_ID.test(id)) return;
  throw new KmsealError("usage", `"${id}" is not a KMS key: expected a key or alias ARN, alias/NAME, or a key id`, {
    hint: "e.g. arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab or alias/app-prod",
  });
}

/** An `age1…` recipient whose characters and checksum are valid bech32 (an X25519 one: 32 bytes). */
export function checkAgeRecipientEncoding(id: string): void {
  if (!id.startsWith("age1")) return; // ssh-ed25519 / ssh-rsa keys: age-encryption parses them
  const d = bech32Decode(id);
  if (d !== null && (d.hrp !== "age" || d.bytes.length === 32)) return;
  throw new KmsealError("usage", `"${id}" is not a valid age recipient (a mistyped character or a cut-off key: its checksum does not match)`, {
    hint: "copy the recipient again from `kmseal keygen` or age-keygen -y",
  });
}
