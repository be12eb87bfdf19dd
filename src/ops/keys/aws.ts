/**
 * The one AWS wiring every KMS call uses, for the CLI and the library alike: settings (flags, then the
 * `.kmsrc` `aws:` block, then ~/.aws) → credentials (the cached MFA session, or the SDK's default
 * chain) → KMS clients per region with adaptive retries and bounded timeouts. Nothing is resolved until
 * the first KMS call. The settings and credentials code, and the `.kmsrc` reader with the YAML parser
 * it needs, are loaded only then (dynamic imports here, so callers import this module statically and a
 * command on age-sealed files never pays for them).
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { KmsrcAws } from "../../core/aws-fields.js";
import type { AwsSettings } from "../../credentials/aws-settings.js";
import type { CredentialProvider } from "../../credentials/credential-identity.js";
import type { CredentialDeps } from "../../credentials/credentials.js";
import { quietSdkVersionWarning } from "../../credentials/sts-client.js";
import { createKmsClient, type KmsClients } from "../../keys/kms.js";

/** Where the AWS settings come from; every field is optional. */
export interface AwsOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--profile` / `--region`: above everything else. */
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  /** The `.kmsrc` to read instead of searching upwards from the cwd. */
  readonly configPath?: string | undefined;
  /** `--mfa-code`. */
  readonly mfaCode?: string | undefined;
  /** `--no-input`: never prompt for an MFA code. */
  readonly noInput?: boolean | undefined;
  /** git runs kmseal as a driver: no prompt and no helper program (a cached session or the SDK chain). */
  readonly driver?: boolean | undefined;
}

export interface AwsWiring {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** undefined: the SDK's default chain for `profile` (env, SSO, web identity, instance role). */
  readonly credentials?: CredentialProvider | undefined;
}

export interface ClientOptions extends AwsWiring {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves region/profile/credentials on first use instead of up front, once (it may be async). */
  readonly wiring?: () => AwsWiring | Promise<AwsWiring>;
  /** Settings to resolve on first use, as the CLI does; ignored when `wiring` is given. */
  readonly aws?: AwsOptions;
}

/** AWS settings: flags, then the `.kmsrc` `aws:` block (from `configPath` or found from the cwd), then ~/.aws. */
export async function awsSettingsFor(opts: AwsOptions = {}): Promise<AwsSettings> {
  const [{ findKmsrc, loadKmsrc }, { resolveAwsSettings }] = await Promise.all([import("../../config/kmsrc.js"), import("../../credentials/aws-settings.js")]);
  const kmsrcPath = opts.configPath ?? findKmsrc(process.cwd());
  // `--config .sops.yaml`: sops's file has no `aws:` block.
  const kmsrc: KmsrcAws | undefined = kmsrcPath !== null && !/\.sops\.ya?ml$/.test(kmsrcPath) ? loadKmsrc(kmsrcPath).aws : undefined;
  return resolveAwsSettings({ kmsrc, profile: opts.profile, region: opts.region, env: envOf(opts) });
}

export function credentialDepsFor(opts: AwsOptions = {}): CredentialDeps {
  return { env: envOf(opts), mfaCode: opts.mfaCode, noInput: opts.noInput === true || opts.driver === true };
}

/** Region, profile and credentials provider for the KMS clients. */
export async function awsWiring(opts: AwsOptions = {}): Promise<AwsWiring> {
  const [found, { signInFor }] = await Promise.all([awsSettingsFor(opts), import("../../credentials/credentials.js")]);
  // A git driver runs inside `git diff`/`git merge`, often on content just fetched: a cached session
  // or the SDK chain, never the profile's mfa_process.
  const settings = opts.driver === true ? { ...found, mfaProcess: undefined } : found;
  const signIn = signInFor(settings, credentialDepsFor(opts));
  // The profile still goes to the client for its other settings (endpoint_url, retries), except when
  // the chain passes it over: the client hands its profile to the chain, which would sign with it.
  if (signIn.kind === "mfa") return { region: settings.region, profile: settings.clientProfile, credentials: signIn.provider };
  return { region: settings.region, profile: signIn.chain.profile, credentials: signIn.chain.provider };
}

export function kmsClients(opts: ClientOptions = {}): KmsClients {
  const env = opts.env ?? process.env;
  const clients = new Map<string, Promise<KMSClient>>();
  const resolveWiring = opts.wiring ?? (opts.aws !== undefined ? () => awsWiring({ env, ...opts.aws }) : () => opts);
  let wired: Promise<AwsWiring> | undefined;
  const wiring = (): Promise<AwsWiring> => (wired ??= Promise.resolve().then(resolveWiring));
  return {
    async defaultRegion() {
      if (opts.region !== undefined) return opts.region;
      return (await wiring()).region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? undefined;
    },
    forRegion(region: string): Promise<KMSClient> {
      let client = clients.get(region);
      if (client === undefined) {
        client = (async () => {
          quietSdkVersionWarning();
          const w = await wiring();
          return createKmsClient({
            region,
            ...(w.profile !== undefined ? { profile: w.profile } : {}),
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

function envOf(opts: AwsOptions): NodeJS.ProcessEnv {
  return opts.env ?? process.env;
}
