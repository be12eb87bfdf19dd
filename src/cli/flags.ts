/**
 * Flag definitions several command tables share. This module stays light (the start-up path reads
 * it for every command line): no ops, no stores beyond their constant lists.
 */
import { FORMATS } from "../stores/store.js";
import type { FlagSpec } from "./args.js";

export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  profile: { kind: "string", value: "NAME", describe: "AWS profile (default: AWS_PROFILE, .kmsrc aws.profile)" },
  region: { kind: "string", value: "REGION", describe: "AWS region for KMS key ids and aliases" },
  config: { kind: "string", value: "PATH", describe: "path of the .kmsrc to use instead of searching upwards" },
  "mfa-code": { kind: "string", value: "CODE", describe: "MFA code for a new AWS session (or KMSEAL_MFA_CODE)" },
  input: { kind: "boolean", default: true, describe: "prompt when needed (--no-input: never prompt)" },
  quiet: { kind: "boolean", short: "q", describe: "print only data and errors" },
  verbose: { kind: "boolean", short: "v", describe: "show stack traces for errors" },
};

/** Read by the parser and main.ts themselves, not from a table; help and completion list them. */
export const HELP_FLAG: FlagSpec = { kind: "boolean", short: "h", describe: "show help" };
export const VERSION_FLAG: FlagSpec = { kind: "boolean", describe: "show the version" };

export const FORMAT_FLAG: FlagSpec = {
  kind: "string",
  value: "FORMAT",
  choices: FORMATS,
  describe: "file format (default: from the file name; needed for stdin)",
};
export const ALL_FLAG: FlagSpec = { kind: "boolean", describe: "every file the .kmsrc rules cover" };
export const AS_FLAG: FlagSpec = { kind: "string", value: "PATH", describe: "decrypt as if the file were at this project-relative path" };
export const DRIVER_COMMAND_FLAG: FlagSpec = {
  kind: "string",
  value: "CMD",
  describe: "how git runs kmseal (default: ./node_modules/.bin/kmseal when present, else kmseal)",
};

/** sops's names for the format (`--input-type`, `--output-type`); kmseal does not convert between formats. */
export const INPUT_TYPE_FLAG: FlagSpec = { kind: "string", value: "FORMAT", choices: FORMATS, describe: "sops's name for --format" };
export const OUTPUT_TYPE_FLAG: FlagSpec = {
  kind: "string",
  value: "FORMAT",
  choices: FORMATS,
  describe: "sops's output format option: accepted when it is the input's format (kmseal does not convert)",
};

/** The bulk commands' report; the shape is json-report.ts's (docs/cli.md, "JSON output"). */
export const JSON_REPORT_FLAG: FlagSpec = { kind: "boolean", describe: "print a JSON report of every file on stdout instead of paths" };
