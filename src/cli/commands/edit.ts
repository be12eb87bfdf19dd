import { editFile } from "../../ops/edit/edit.js";
import type { Format } from "../../stores/store.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";

interface EditArgs extends GlobalArgs {
  file: string;
  retry?: boolean;
  kms?: string[];
  age?: string[];
  format?: Format;
}

export async function editAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as unknown as EditArgs;
  const interactive = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true;
  const services = servicesFor(a, ctx.io);
  const r = await editFile(
    a.file,
    { format: a.format, configPath: a.config, kms: a.kms, age: a.age, retry: a.retry !== false && a.input !== false && interactive, interactive },
    services,
  );
  if (a.quiet) return;
  if (r.written) ctx.io.stderr.write(`kmseal: ${r.created ? "created" : "saved"} ${r.path}\n`);
  else ctx.io.stderr.write(`kmseal: no change; ${r.path} was ${r.created ? "not created" : "left as it was"}\n`);
}
