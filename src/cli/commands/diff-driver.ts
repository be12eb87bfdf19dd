import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { findKmsrc } from "../../config/kmsrc.js";
import { KmsealError } from "../../core/errors.js";
import { installDiffDriver, uninstallDiffDriver } from "../../git/diff-driver.js";
import type { DriverResult } from "../../git/driver.js";
import { textconv } from "../../ops/textconv.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { Io } from "../io.js";
import { servicesFor, type GlobalArgs } from "../options.js";

const SAID: Record<DriverResult["action"], string> = {
  installed: "installed",
  updated: "updated",
  unchanged: "already installed:",
  removed: "removed",
  absent: "nothing to remove:",
};

/** The one-line report of `diff-driver` / `merge-driver` install and uninstall. */
export function reportDriver(io: Io, quiet: boolean | undefined, what: string, r: DriverResult): void {
  if (!quiet) io.stderr.write(`kmseal: ${SAID[r.action]} the ${what} (git config and ${r.attributes})\n`);
}

export async function diffDriverAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { action: "install" | "uninstall"; command?: string };
  const kmsrc = findKmsrc(process.cwd());
  const root = kmsrc === null ? null : dirname(kmsrc);
  const r = a.action === "install" ? await installDiffDriver(process.cwd(), root, { command: a.command }) : await uninstallDiffDriver(process.cwd(), root);
  reportDriver(ctx.io, a.quiet, "kmseal diff driver", r);
}

export async function textconvAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as GlobalArgs & { file: string; format?: Format };
  let input: Buffer;
  try {
    input = await readFile(a.file);
  } catch (err) {
    throw new KmsealError("usage", `cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`, { file: a.file });
  }
  // Inside `git diff` a prompt would hang behind the pager: a cached AWS session or nothing.
  const r = await textconv(input, a.file, servicesFor({ ...a, input: false, driver: true }, ctx.io), a.format);
  if (r.note !== undefined && !a.quiet) ctx.io.stderr.write(`kmseal: ${a.file}: ${r.note}\n`);
  ctx.io.stdout.write(r.bytes);
}
