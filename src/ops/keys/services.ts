/** What a command needs to wrap and unwrap data keys, built once per process. */
import type { Env } from "../../keys/age/keyring.js";
import type { KeyUnwrapper } from "../../keys/key-source.js";
import type { KmsClients } from "../../keys/kms.js";
import { KEY_KINDS, type KeyKindServices } from "../../keys/registry.js";
import { kmsClients, type ClientOptions } from "./aws.js";

export interface KeyServices extends KeyKindServices {
  readonly env: Env;
  readonly kms: KmsClients;
  /** One per key kind, local ones first (age: local, free), then the others (KMS: network, may ask for MFA). */
  unwrappers(): Promise<KeyUnwrapper[]>;
  /** Messages for the user (stderr), e.g. "created an age identity". */
  readonly notice: (message: string) => void;
}

/** The registry's kinds, local first (a stable sort keeps table order within each group). */
const UNWRAP_ORDER = [...KEY_KINDS].sort((a, b) => Number(b.local) - Number(a.local));

export function keyServices(opts: ClientOptions & { notice?: (m: string) => void; kms?: KmsClients } = {}): KeyServices {
  const env = opts.env ?? process.env;
  const kms = opts.kms ?? kmsClients(opts);
  let unwrappers: Promise<KeyUnwrapper[]> | undefined;
  const services: KeyServices = {
    env,
    kms,
    notice: opts.notice ?? ((m) => process.stderr.write(`kmseal: ${m}\n`)),
    unwrappers() {
      unwrappers ??= Promise.all(UNWRAP_ORDER.map((k) => k.unwrapper(services)));
      return unwrappers;
    },
  };
  return services;
}
