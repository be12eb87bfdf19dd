import type { Argv } from "yargs";
import { credentialProcess, login, logout, whoami } from "../../ops/session.js";
import type { Ctx } from "../command.js";
import { awsSettingsFor, credentialDeps } from "../../ops/aws-wiring.js";
import type { GlobalArgs } from "../options.js";
import { logoutText, whoamiMissing } from "../session-report.js";

function when(iso: string | undefined, secondsLeft: number | undefined): string {
  if (iso === undefined) return "managed by the AWS SDK";
  const left = secondsLeft ?? 0;
  return `${iso} (${Math.floor(left / 3600)}h ${Math.floor((left % 3600) / 60)}m left)`;
}

export function sessionCommands(y: Argv, ctx: Ctx): Argv {
  return y
    .command(
      "login",
      "Start a fresh MFA STS session and cache it (one code, then every command reuses it)",
      (b) => b.example("kmseal login --profile dev", "asks for the MFA code once").example("KMSEAL_MFA_CODE=123456 kmseal login", "code from the environment"),
      async (argv) => {
        const a = argv as unknown as GlobalArgs;
        const info = await login({ settings: awsSettingsFor(a, ctx.io), deps: credentialDeps(a, ctx.io) });
        ctx.io.stdout.write(`${info.identity?.arn ?? info.profile}\nsession expires ${when(info.expiration, info.secondsLeft)}\n`);
      },
    )
    .command(
      "logout",
      "Delete cached sessions (this profile's, or --all)",
      (b) => b.option("all", { type: "boolean", describe: "every cached session" }),
      async (argv) => {
        const a = argv as unknown as GlobalArgs & { all?: boolean };
        const settings = awsSettingsFor(a, ctx.io);
        const r = logout({ settings, all: a.all === true, deps: credentialDeps(a, ctx.io) });
        ctx.io.stdout.write(logoutText(r.removed, a.all === true, settings.profile));
      },
    )
    .command(
      "whoami",
      "Show the cached session's identity and expiry (never secrets)",
      (b) => b.option("json", { type: "boolean", describe: "machine-readable output" }),
      async (argv) => {
        const a = argv as unknown as GlobalArgs & { json?: boolean };
        const info = await whoami({ settings: awsSettingsFor(a, ctx.io), deps: credentialDeps(a, ctx.io) });
        const missing = info.source === "none" ? whoamiMissing(info.profile, info.hint) : null;
        if (missing !== null) ctx.exitCode = missing.exit;
        if (a.json) ctx.io.stdout.write(JSON.stringify(info, null, 2) + "\n");
        else if (info.source === "none") ctx.io.stderr.write(missing!.stderr);
        else ctx.io.stdout.write(`${info.identity?.arn ?? "(unknown identity)"}\nprofile ${info.profile}, ${info.source}, expires ${when(info.expiration, info.secondsLeft)}\n`);
      },
    )
    .command(
      "credential-process",
      "Print the cached session in the AWS credential_process JSON format",
      (b) => b.example("credential_process = kmseal credential-process --profile dev", "in ~/.aws/config: the AWS CLI reuses kmseal's MFA session"),
      async (argv) => {
        const a = argv as unknown as GlobalArgs;
        ctx.io.stdout.write(JSON.stringify(await credentialProcess({ settings: awsSettingsFor(a, ctx.io), deps: credentialDeps(a, ctx.io) })) + "\n");
      },
    );
}
