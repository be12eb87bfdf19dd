/**
 * The credential shapes kmseal passes around. They are structurally the AWS SDK's
 * `AwsCredentialIdentity` / `AwsCredentialIdentityProvider`, declared here so that modules which only
 * talk about credentials never import (or load) the SDK.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Called lazily by an SDK client each time it needs (fresh) credentials. */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** Who a set of credentials belongs to (GetCallerIdentity or AssumeRole's AssumedRoleUser). */
export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** Warnings (cache refused, ...) go through an injected sink, never straight to stdout. */
export interface CredentialLog {
  warn(message: string): void;
}

export const stderrLog: CredentialLog = {
  warn: (message) => process.stderr.write(`kmseal: warning: ${message}\n`),
};
