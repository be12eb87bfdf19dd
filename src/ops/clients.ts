/**
 * The only AWS wiring: KMS clients per region, built lazily (the SDK is imported on the first KMS
 * call, and AWS settings are resolved only then) with the session layer's credentials provider,
 * adaptive retries and bounded timeouts.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { CredentialProvider } from "../credentials/credential-identity.js";
import { quietSdkVersionWarning } from "../credentials/sts-client.js";
import type { KmsClients } from "../keys/kms.js";

export interface AwsWiring {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** undefined: the SDK's default chain (env, SSO, web identity, instance role). */
  readonly credentials?: CredentialProvider | undefined;
}

export interface ClientOptions extends AwsWiring {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves region/profile/credentials on first use instead of up front. */
  readonly wiring?: () => AwsWiring;
}

export function kmsClients(opts: ClientOptions = {}): KmsClients {
  const env = opts.env ?? process.env;
  const clients = new Map<string, Promise<KMSClient>>();
  let wired: AwsWiring | undefined;
  const wiring = (): AwsWiring => (wired ??= opts.wiring?.() ?? opts);
  return {
    get defaultRegion() {
      return opts.region ?? wiring().region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? undefined;
    },
    forRegion(region: string): Promise<KMSClient> {
      let client = clients.get(region);
      if (client === undefined) {
        client = (async () => {
          quietSdkVersionWarning();
          const w = wiring();
          const { KMSClient } = await import("@aws-sdk/client-kms");
          return new KMSClient({
            region,
            ...(w.profile !== undefined && w.credentials === undefined ? { profile: w.profile } : {}),
            ...(w.credentials !== undefined ? { credentials: w.credentials } : {}),
            maxAttempts: 4,
            retryMode: "adaptive",
            // Without throwOnRequestTimeout the SDK only warns after requestTimeout and waits forever
            // for a KMS that accepted the connection but never answers (test/slow/kms-hang.test.ts).
            requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
          });
        })();
        clients.set(region, client);
      }
      return client;
    },
  };
}
