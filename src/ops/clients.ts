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
  /**
   * Resolves region/profile/credentials on first use instead of up front, once. It may be async (the
   * CLI loads its settings and credentials code only then); an async wiring must have settled
   * (`ready()`) before `defaultRegion` is read.
   */
  readonly wiring?: () => AwsWiring | Promise<AwsWiring>;
}

/** KMS clients whose settings may still be loading. */
export interface LazyKmsClients extends KmsClients {
  /** Resolves the wiring: after it, `defaultRegion` can be read. */
  ready(): Promise<void>;
}

export function kmsClients(opts: ClientOptions = {}): LazyKmsClients {
  const env = opts.env ?? process.env;
  const clients = new Map<string, Promise<KMSClient>>();
  let answer: AwsWiring | Promise<AwsWiring> | undefined;
  const asked = () => (answer ??= opts.wiring?.() ?? opts);
  let wired: AwsWiring | undefined;
  const wiring = async (): Promise<AwsWiring> => (wired ??= await asked());
  return {
    get defaultRegion() {
      if (opts.region !== undefined) return opts.region;
      const w = wired ?? asked();
      if ("then" in w) throw new Error("internal: the KMS settings were read before they were loaded (call ready() first)");
      return w.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? undefined;
    },
    async ready() {
      await wiring();
    },
    forRegion(region: string): Promise<KMSClient> {
      let client = clients.get(region);
      if (client === undefined) {
        client = (async () => {
          quietSdkVersionWarning();
          const w = await wiring();
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
