/** What a command needs to wrap and unwrap data keys, built once per process. */
import { AgeIdentities } from "../../keys/age/source.js";
import { loadIdentities, type Env } from "../../keys/age/keyring.js";
import type { KeyUnwrapper } from "../../keys/key-source.js";
import { KmsUnwrapper, type KmsClients } from "../../keys/kms.js";
import { kmsClients, type ClientOptions } from "./aws.js";

export interface KeyServices {
  readonly env: Env;
  readonly kms: KmsClients;
  /** Age identities first (local, free), then KMS (network, may ask for MFA). */
  unwrappers(): Promise<KeyUnwrapper[]>;
  /** Messages for the user (stderr), e.g. "created an age identity". */
  readonly notice: (message: string) => void;
}

export function keyServices(opts: ClientOptions & { notice?: (m: string) => void; kms?: KmsClients } = {}): KeyServices {
  const env = opts.env ?? process.env;
  const kms = opts.kms ?? kmsClients(opts);
  let identities: Promise<AgeIdentities> | undefined;
  return {
    env,
    kms,
    notice: opts.notice ?? ((m) => process.stderr.write(`kmseal: ${m}\n`)),
    async unwrappers() {
      identities ??= loadIdentities(env).then((ids) => new AgeIdentities(ids, env));
      return [await identities, new KmsUnwrapper(kms)];
    },
  };
}
