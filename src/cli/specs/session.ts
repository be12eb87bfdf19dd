import type { CommandSpec } from "../args.js";

export const loginSpec: CommandSpec = {
  name: "login",
  summary: "Start a fresh MFA STS session and cache it (one code, then every command reuses it)",
  usage: "kmseal login [options]",
  positionals: [],
  flags: {},
  examples: [
    ["kmseal login --profile dev", "asks for the MFA code once"],
    ["KMSEAL_MFA_CODE=123456 kmseal login", "code from the environment"],
  ],
  load: async () => (await import("../commands/session.js")).loginAction,
};

export const logoutSpec: CommandSpec = {
  name: "logout",
  summary: "Delete cached sessions (this profile's, or --all)",
  usage: "kmseal logout [options]",
  positionals: [],
  flags: { all: { kind: "boolean", describe: "every cached session" } },
  examples: [],
  load: async () => (await import("../commands/session.js")).logoutAction,
};

export const whoamiSpec: CommandSpec = {
  name: "whoami",
  summary: "Show which AWS sign-in kmseal uses: source, profile, identity and expiry (never secrets)",
  usage: "kmseal whoami [options]",
  positionals: [],
  flags: { json: { kind: "boolean", describe: "machine-readable output" } },
  examples: [],
  load: async () => (await import("../commands/session.js")).whoamiAction,
};

export const credentialProcessSpec: CommandSpec = {
  name: "credential-process",
  summary: "Print the cached session in the AWS credential_process JSON format",
  usage: "kmseal credential-process [options]",
  positionals: [],
  flags: {},
  examples: [["credential_process = kmseal credential-process --profile dev", "in ~/.aws/config: the AWS CLI reuses kmseal's MFA session"]],
  load: async () => (await import("../commands/session.js")).credentialProcessAction,
};
