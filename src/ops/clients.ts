/**
 * The only AWS wiring: KMS clients per region, built lazily (the SDK is imported on the first KMS
 * call) with the caller's credentials provider, adaptive retries and bounded timeouts.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { KmsClients } from "../keys/kms.js";

export interface ClientOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** undefined: the SDK's default chain (env, SSO, web identity, instance role). */
  readonly credentials?: AwsCredentialIdentityProvider | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Node 20 is past its end of life for the SDK; users cannot act on that warning, so it is hidden. */
function quietSdkWarnings(env: Readonly<Record<string, string | undefined>>): void {
  if (env["AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING"] === undefined) process.env["AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING"] = "1";
}

export function kmsClients(opts: ClientOptions = {}): KmsClients {
  const env = opts.env ?? process.env;
  const clients = new Map<string, Promise<KMSClient>>();
  const defaultRegion = opts.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? undefined;
  return {
    defaultRegion,
    forRegion(region: string): Promise<KMSClient> {
      let client = clients.get(region);
      if (client === undefined) {
        client = (async () => {
          quietSdkWarnings(env);
          const { KMSClient } = await import("@aws-sdk/client-kms");
          return new KMSClient({
            region,
            ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
            ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
            maxAttempts: 4,
            retryMode: "adaptive",
            requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
          });
        })();
        clients.set(region, client);
      }
      return client;
    },
  };
}
