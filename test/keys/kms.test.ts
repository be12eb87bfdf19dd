import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mockClient } from "aws-sdk-client-mock";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { KmsKey, KmsUnwrapper, regionOfArn } from "../../src/keys/kms.js";
import { kmsClients } from "../../src/ops/keys/aws.js";
import type { KmsRecord } from "../../src/core/metadata.js";
import { KmsealError } from "../../src/core/errors.js";

const kms = mockClient(KMSClient);
const ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "us-east-1" };

describe("KMS key source", () => {
  beforeEach(() => kms.reset());

  it("wraps with one Encrypt carrying the path context and stores the key ARN", async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from("blob"), KeyId: ARN });
    const key = new KmsKey("alias/app", { file: "config/app.enc.yaml", env: "prod" }, kmsClients({ env }));
    const record = await key.wrap(Buffer.alloc(32, 7));
    const calls = kms.commandCalls(EncryptCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.args[0].input.EncryptionContext, { file: "config/app.enc.yaml", env: "prod" });
    assert.equal(calls[0]!.args[0].input.KeyId, "alias/app");
    assert.equal(record.arn, ARN);
    assert.equal(record.enc, Buffer.from("blob").toString("base64"));
    assert.match(record.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("unwraps with the stored ARN and context, in the ARN's region", async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.alloc(32, 9) });
    const record: KmsRecord = {
      type: "kms",
      arn: ARN,
      awsProfile: "",
      context: { file: "a.enc.yaml" },
      createdAt: "2026-01-01T00:00:00Z",
      enc: "YmxvYg==",
      role: undefined,
    };
    const key = await new KmsUnwrapper(kmsClients({ env })).unwrap(record);
    assert.deepEqual(Buffer.from(key!), Buffer.alloc(32, 9));
    const input = kms.commandCalls(DecryptCommand)[0]!.args[0].input;
    assert.equal(input.KeyId, ARN);
    assert.deepEqual(input.EncryptionContext, { file: "a.enc.yaml" });
    assert.equal(regionOfArn(ARN), "eu-west-1");
  });

  it("names the key and its state when KMS refuses", async () => {
    const err = Object.assign(new Error("arn is pending deletion"), { name: "KMSInvalidStateException" });
    kms.on(DecryptCommand).rejects(err);
    const record: KmsRecord = {
      type: "kms",
      arn: ARN,
      awsProfile: "",
      context: undefined,
      createdAt: "2026-01-01T00:00:00Z",
      enc: "YmxvYg==",
      role: undefined,
    };
    await assert.rejects(new KmsUnwrapper(kmsClients({ env })).unwrap(record), (e: unknown) => {
      assert.ok(e instanceof KmsealError);
      assert.equal(e.code, "key");
      assert.match(e.message, /pending deletion/);
      assert.ok(e.message.includes(ARN));
      return true;
    });
  });

  it("reports missing credentials as an authentication failure", async () => {
    kms.on(DecryptCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const record: KmsRecord = {
      type: "kms",
      arn: ARN,
      awsProfile: "",
      context: undefined,
      createdAt: "2026-01-01T00:00:00Z",
      enc: "YmxvYg==",
      role: undefined,
    };
    await assert.rejects(new KmsUnwrapper(kmsClients({ env })).unwrap(record), (e: unknown) => e instanceof KmsealError && e.code === "auth");
  });
});
