import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";

/** Region and account every peer server is configured with; ARNs must look real to sops. */
export const REGION = "us-east-1";
export const ACCOUNT_ID = "123456789012";

/** Dummy credentials: the emulators accept any, but SigV4 signing still needs some. */
export const DUMMY_CREDENTIALS = { accessKeyId: "AKIAPEERSTEST0000000", secretAccessKey: "peers-test-secret-not-real" } as const;

/** A running KMS emulator on loopback. */
export interface KmsServer {
  readonly kind: "moto" | "local-kms";
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pgid: number;
  /** An SDK client for setting up keys; destroyed when the server stops. */
  readonly kms: KMSClient;
  stop(): Promise<void>;
}

export function adminClient(url: string): KMSClient {
  // The harness's own SDK use on Node 20 need not repeat the SDK's Node-version notice in every log.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
  return new KMSClient({ endpoint: url, region: REGION, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
}

/** Retries ListKeys until the emulator answers it. */
export async function waitUntilAnswering(client: KMSClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await client.send(new ListKeysCommand({}));
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not answer ListKeys within ${timeoutMs} ms: ${String(last)}`);
}

/** Matches `Running on http://127.0.0.1:PORT` and `started on 0.0.0.0:PORT`. */
export function portFrom(match: RegExpMatchArray): number {
  const port = Number(match[1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`bad port in ${match[0]}`);
  return port;
}
