import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mockClient } from "aws-sdk-client-mock";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { AgeIdentities, AgeRecipient } from "../../src/keys/age/source.js";
import { unwrapAny } from "../../src/keys/data-key.js";
import { KmsUnwrapper } from "../../src/keys/kms.js";
import { kmsClients } from "../../src/ops/keys/aws.js";
import type { KmsRecord } from "../../src/core/metadata.js";
import { NoMatchingKeyError } from "../../src/core/errors.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../helpers/keys.js";

const kms = mockClient(KMSClient);
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret" };
const kmsRecord = (n: number): KmsRecord => ({
  type: "kms",
  arn: `arn:aws:kms:us-east-1:123456789012:key/k${n}`,
  awsProfile: "",
  context: { file: "x.enc.yaml" },
  createdAt: "2026-01-01T00:00:00Z",
  enc: "YmxvYg==",
  role: undefined,
});

describe("unwrapAny", () => {
  beforeEach(() => kms.reset());

  it("tries age before KMS: an age-decryptable file makes no KMS call", async () => {
    const age = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
    const { dataKey } = await unwrapAny([kmsRecord(1), age], [new AgeIdentities([TEST_AGE_IDENTITY]), new KmsUnwrapper(kmsClients({ env }))]);
    assert.deepEqual(Buffer.from(dataKey), TEST_DATA_KEY);
    assert.equal(kms.commandCalls(DecryptCommand).length, 0);
  });

  it("falls through an unusable first KMS key to the second", async () => {
    kms.on(DecryptCommand, { KeyId: kmsRecord(1).arn }).rejects(Object.assign(new Error("key is disabled"), { name: "DisabledException" }));
    kms.on(DecryptCommand, { KeyId: kmsRecord(2).arn }).resolves({ Plaintext: TEST_DATA_KEY });
    const { record } = await unwrapAny([kmsRecord(1), kmsRecord(2)], [new AgeIdentities([]), new KmsUnwrapper(kmsClients({ env }))]);
    assert.equal(record.type === "kms" && record.arn, kmsRecord(2).arn);
    assert.equal(kms.commandCalls(DecryptCommand).length, 2);
  });

  it("lists why every key failed", async () => {
    kms.on(DecryptCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    await assert.rejects(unwrapAny([kmsRecord(1), kmsRecord(2)], [new KmsUnwrapper(kmsClients({ env }))]), (e: unknown) => {
      assert.ok(e instanceof NoMatchingKeyError);
      assert.equal(e.reasons.length, 2);
      assert.match(e.message, /k1: access denied/);
      return true;
    });
  });
});
