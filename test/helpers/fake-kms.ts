/**
 * A KMS stand-in on aws-sdk-client-mock that really binds ciphertexts to key and context, so tests
 * see the same failures real KMS gives for a wrong context.
 */
import { mockClient } from "aws-sdk-client-mock";
import { DecryptCommand, EncryptCommand, KMSClient, ReEncryptCommand } from "@aws-sdk/client-kms";

export const FAKE_ARN = "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444";

type Ctx = Record<string, string> | undefined;
const seal = (arn: string, ctx: Ctx, key: Uint8Array) => Buffer.from(JSON.stringify({ arn, ctx: ctx ?? {}, key: Buffer.from(key).toString("hex") }));
const open = (blob: Uint8Array) => JSON.parse(Buffer.from(blob).toString()) as { arn: string; ctx: Record<string, string>; key: string };
const same = (a: Ctx, b: Ctx) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
const invalid = () => Object.assign(new Error("ciphertext or context mismatch"), { name: "InvalidCiphertextException" });

export function fakeKms() {
  const kms = mockClient(KMSClient);
  const install = () => {
    kms.on(EncryptCommand).callsFake((input: { KeyId: string; Plaintext: Uint8Array; EncryptionContext?: Ctx }) => {
      const arn = input.KeyId.startsWith("arn:") ? input.KeyId : FAKE_ARN;
      return { CiphertextBlob: seal(arn, input.EncryptionContext, input.Plaintext), KeyId: arn };
    });
    kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext?: Ctx }) => {
      const c = open(input.CiphertextBlob);
      if (!same(c.ctx, input.EncryptionContext)) throw invalid();
      return { Plaintext: Buffer.from(c.key, "hex"), KeyId: c.arn };
    });
    kms
      .on(ReEncryptCommand)
      .callsFake((input: { CiphertextBlob: Uint8Array; SourceEncryptionContext?: Ctx; DestinationEncryptionContext?: Ctx; DestinationKeyId: string }) => {
        const c = open(input.CiphertextBlob);
        if (!same(c.ctx, input.SourceEncryptionContext)) throw invalid();
        return { CiphertextBlob: seal(input.DestinationKeyId, input.DestinationEncryptionContext, Buffer.from(c.key, "hex")), KeyId: input.DestinationKeyId };
      });
  };
  install();
  return {
    kms,
    reset: () => {
      kms.reset();
      install();
    },
  };
}
