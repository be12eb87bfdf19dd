import { credentialProcess, login, logout, whoami } from "../../ops/session.js";
import { awsSettingsFor, credentialDepsFor } from "../../ops/keys/aws.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { awsOptionsFor } from "../options.js";
import type { GlobalArgs } from "../options.js";
import { logoutText, whoamiMissing } from "../session-report.js";

function when(iso: string | undefined, secondsLeft: number | undefined): string {
  if (iso === undefined) return "never (no expiry given)";
  const left = secondsLeft ?? 0;
  return `${iso} (${Math.floor(left / 3600)}h ${Math.floor((left % 3600) / 60)}m left)`;
}

export async function loginAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs;
  const info = await login({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) });
  ctx.io.stdout.write(`${info.identity?.arn ?? info.profile}\nsession expires ${when(info.expiration, info.secondsLeft)}\n`);
}

export async function logoutAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs & { all?: boolean };
  const settings = await awsSettingsFor(awsOptionsFor(a, ctx.io));
  const r = logout({ settings, all: a.all === true, deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) });
  ctx.io.stdout.write(logoutText(r.removed, a.all === true, settings.profile));
}

export async function whoamiAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs & { json?: boolean };
  const info = await whoami({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) });
  const missing = info.source === "none" ? whoamiMissing(info.profile, info.hint) : null;
  if (missing !== null) ctx.exitCode = missing.exit;
  if (a.json) ctx.io.stdout.write(JSON.stringify(info, null, 2) + "\n");
  else if (info.source === "none") ctx.io.stderr.write(whoamiMissing(info.profile, info.hint).stderr);
  else
    ctx.io.stdout.write(
      `${info.identity?.arn ?? "(unknown identity)"}\n${info.profile !== null ? `profile ${info.profile}` : "no profile"}, ${info.source}, expires ${when(info.expiration, info.secondsLeft)}\n`,
    );
}

export async function credentialProcessAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs;
  ctx.io.stdout.write(
    JSON.stringify(await credentialProcess({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) })) +
      "\n",
  );
}
