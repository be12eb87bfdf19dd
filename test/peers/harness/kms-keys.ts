import { randomBytes } from "node:crypto";
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import type { KeyState } from "@aws-sdk/client-kms";
import { ACCOUNT_ID, REGION } from "./kms-server.js";
import type { KmsServer } from "./kms-server.js";

/** A symmetric KMS key created for one test, with an alias. */
export interface TestKey {
  readonly keyId: string;
  readonly arn: string;
  /** `alias/<name>` */
  readonly alias: string;
  /** `arn:aws:kms:<region>:<account>:alias/<name>` */
  readonly aliasArn: string;
}

/** Creates a SYMMETRIC_DEFAULT key and an alias for it (`alias/<prefix>-<random>`). */
export async function createKey(server: KmsServer, prefix = "peers"): Promise<TestKey> {
  const created = await server.kms.send(new CreateKeyCommand({ Description: `kmseal peer test ${prefix}` }));
  const keyId = created.KeyMetadata?.KeyId;
  const arn = created.KeyMetadata?.Arn;
  if (keyId === undefined || arn === undefined) throw new Error(`${server.kind}: CreateKey returned no key id/ARN`);
  if (!arn.startsWith(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/`)) throw new Error(`${server.kind}: unexpected key ARN ${arn}`);
  const alias = `alias/${prefix}-${randomBytes(4).toString("hex")}`;
  await server.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  return { keyId, arn, alias, aliasArn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${alias}` };
}

export async function disableKey(server: KmsServer, key: TestKey): Promise<void> {
  await server.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
}

export async function scheduleDeletion(server: KmsServer, key: TestKey): Promise<void> {
  await server.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
}

export async function keyState(server: KmsServer, key: TestKey): Promise<KeyState | undefined> {
  const described = await server.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
  return described.KeyMetadata?.KeyState;
}
