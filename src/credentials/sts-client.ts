/**
 * Builds STS clients. The SDK is loaded with a dynamic import so commands that never reach AWS do not
 * pay for it. Endpoints follow the SDK's own rules (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, endpoint_url).
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentials, CredentialProvider } from "./credential-identity.js";

export interface StsClientConfig {
  region: string;
  /** Explicit credentials (an MFA session for role chaining); otherwise the SDK's chain for `profile`. */
  credentials?: AwsCredentials | CredentialProvider | undefined;
  profile?: string | undefined;
}

export type StsFactory = (config: StsClientConfig) => Promise<STSClient>;

export const createStsClient: StsFactory = async (config) => {
  quietSdkVersionWarning();
  const { STSClient } = await import("@aws-sdk/client-sts");
  return new STSClient({
    region: config.region,
    ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
    ...(config.profile !== undefined ? { profile: config.profile } : {}),
    // An STS endpoint that accepts the connection but never answers must not hang kmseal.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
  });
};

/**
 * The SDK warns on Node 20 that future releases will need Node 22. kmseal supports Node 20, and the
 * warning on stderr would look like an error to users, so it is switched off unless the user set it.
 * Call before constructing any SDK client (KMS included).
 */
export function quietSdkVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
}
