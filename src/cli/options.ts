/** The global options' values as the actions read them, and the services built from them. */
import { UsageError } from "../core/errors.js";
import type { AwsOptions } from "../ops/keys/aws.js";
import { keyServices, type KeyServices } from "../ops/keys/services.js";
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

/** `--context k=v` pairs; `file` is reserved for the path. */
export function parseContext(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`--context "${pair}" is not KEY=VALUE`, { hint: "example: --context env=prod" });
    const key = pair.slice(0, i);
    if (key === "file")
      throw new UsageError("--context file=... is not allowed: kmseal sets `file` to the encrypted file's path", { hint: "use --as PATH to choose the path" });
    out[key] = pair.slice(i + 1);
  }
  return out;
}

/** The AWS settings the global flags name, for ops/keys/aws.ts. */
export function awsOptionsFor(args: GlobalArgs, io: Io): AwsOptions {
  return {
    env: io.env,
    profile: args.profile,
    region: args.region,
    configPath: args.config,
    mfaCode: args["mfa-code"],
    noInput: args.input === false,
    driver: args.driver === true,
  };
}

export function servicesFor(args: GlobalArgs, io: Io): KeyServices {
  return keyServices({
    env: io.env,
    aws: awsOptionsFor(args, io),
    notice: (m) => {
      if (!args.quiet) io.stderr.write(`kmseal: ${m}\n`);
    },
  });
}
