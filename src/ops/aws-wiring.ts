/**
 * The AWS side of the CLI's key services: the `.kmsrc` `aws:` block, the AWS config files and the
 * cached MFA session. Loaded only when a command reaches KMS (or a session command runs), so a
 * command on age-sealed files never loads the YAML parser or the credentials layer for it.
 */
import { findKmsrc, loadKmsrc } from "../config/kmsrc.js";
import { resolveAwsSettings, type AwsSettings } from "../credentials/aws-settings.js";
import { credentialsFor, type CredentialDeps } from "../credentials/credentials.js";
import type { AwsWiring } from "./clients.js";
import type { Io } from "../cli/io.js";
import type { GlobalArgs } from "../cli/options.js";

/** AWS settings: --profile/--region, then the `.kmsrc` `aws:` block (from --config or the cwd), then ~/.aws. */
export function awsSettingsFor(args: GlobalArgs, io: Io): AwsSettings {
  const kmsrcPath = args.config ?? findKmsrc(process.cwd());
  const kmsrc = kmsrcPath !== null ? loadKmsrc(kmsrcPath).aws : undefined;
  return resolveAwsSettings({ kmsrc, profile: args.profile, region: args.region, env: io.env as NodeJS.ProcessEnv });
}

export function credentialDeps(args: GlobalArgs, io: Io): CredentialDeps {
  return { env: io.env as NodeJS.ProcessEnv, mfaCode: args["mfa-code"], noInput: args.input === false || args.driver === true };
}

/** Region, profile and credentials provider for the KMS clients. */
export function awsWiring(args: GlobalArgs, io: Io): AwsWiring {
  const found = awsSettingsFor(args, io);
  // A git driver runs inside `git diff`/`git merge`, often on content just fetched: a cached session
  // or the SDK chain, never the profile's mfa_process.
  const settings = args.driver === true ? { ...found, mfaProcess: undefined } : found;
  const credentials = credentialsFor(settings, credentialDeps(args, io));
  return { region: settings.region, profile: credentials === undefined ? settings.clientProfile : undefined, credentials };
}
