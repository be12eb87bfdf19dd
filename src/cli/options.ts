/** Flags shared by several commands, defined once, and the services built from them. */
import type { Argv } from "yargs";
import { UsageError } from "../core/errors.js";
import { FORMATS, type Format } from "../stores/store.js";
import { keyServices, type KeyServices } from "../ops/key-services.js";
import type { Io } from "./io.js";

export interface GlobalArgs {
  profile?: string;
  region?: string;
  config?: string;
  "mfa-code"?: string;
  input?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** Set (never by a flag) when git runs kmseal as a driver: no prompt and no helper program. */
  driver?: boolean;
}

export function globalOptions<T>(y: Argv<T>) {
  return y
    .option("profile", { type: "string", describe: "AWS profile (default: AWS_PROFILE, .kmsrc aws.profile)", global: true })
    .option("region", { type: "string", describe: "AWS region for KMS key ids and aliases", global: true })
    .option("config", { type: "string", describe: "path of the .kmsrc to use instead of searching upwards", global: true })
    .option("mfa-code", { type: "string", describe: "MFA code for a new AWS session (or KMSEAL_MFA_CODE)", global: true })
    .option("input", { type: "boolean", default: true, describe: "prompt when needed (--no-input: never prompt)", global: true })
    .option("quiet", { alias: "q", type: "boolean", describe: "print only data and errors", global: true })
    .option("verbose", { alias: "v", type: "boolean", describe: "show stack traces for errors", global: true });
}

export function formatOption<T>(y: Argv<T>) {
  return y.option("format", { type: "string", choices: FORMATS as Format[], describe: "file format (default: from the file name; needed for stdin)" });
}

/** `--context k=v` pairs; `file` is reserved for the path. */
export function parseContext(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`--context "${pair}" is not KEY=VALUE`, { hint: "example: --context env=prod" });
    const key = pair.slice(0, i);
    if (key === "file") throw new UsageError("--context file=... is not allowed: kmseal sets `file` to the encrypted file's path", { hint: "use --as PATH to choose the path" });
    out[key] = pair.slice(i + 1);
  }
  return out;
}

export function servicesFor(args: GlobalArgs, io: Io): KeyServices {
  return keyServices({
    env: io.env,
    // The AWS settings code (and the YAML parser the .kmsrc needs) loads on the first KMS call only.
    wiring: async () => (await import("../ops/aws-wiring.js")).awsWiring(args, io),
    notice: (m) => {
      if (!args.quiet) io.stderr.write(`kmseal: ${m}\n`);
    },
  });
}

/**
 * A repeatable flag (`--kms A --kms B`) that takes exactly one value each time. yargs' `array`
 * would swallow the positional file names that follow the flag.
 */
export function repeatable(describe: string) {
  return { type: "string" as const, requiresArg: true, describe, coerce: (v: string | string[]) => (Array.isArray(v) ? v : [v]) };
}
