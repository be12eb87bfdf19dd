import { credentialProcess, login, logout, whoami } from "../../ops/session.js";
import { awsSettingsFor, credentialDepsFor } from "../../ops/aws.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { awsOptionsFor } from "../options.js";
import type { GlobalArgs } from "../options.js";

function when(iso: string | undefined, secondsLeft: number | undefined): string {
  if (iso === undefined) return "managed by the AWS SDK";
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
  const r = logout({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), all: a.all === true, deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) });
  ctx.io.stdout.write(r.removed.length === 0 ? "no cached session\n" : r.removed.map((s) => `removed ${s.kind} session of ${s.profile}${s.roleArn ? ` (${s.roleArn})` : ""}\n`).join(""));
}

export async function whoamiAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs & { json?: boolean };
  const info = await whoami({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) });
  if (a.json) ctx.io.stdout.write(JSON.stringify(info, null, 2) + "\n");
  else if (info.source === "none") ctx.io.stdout.write(`no session for profile ${info.profile}\n  ${info.hint}\n`);
  else ctx.io.stdout.write(`${info.identity?.arn ?? "(unknown identity)"}\nprofile ${info.profile}, ${info.source}, expires ${when(info.expiration, info.secondsLeft)}\n`);
}

export async function credentialProcessAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as GlobalArgs;
  ctx.io.stdout.write(JSON.stringify(await credentialProcess({ settings: await awsSettingsFor(awsOptionsFor(a, ctx.io)), deps: credentialDepsFor(awsOptionsFor(a, ctx.io)) })) + "\n");
}
