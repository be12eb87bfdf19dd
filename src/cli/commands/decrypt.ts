import { decryptFile } from "../../ops/decrypt.js";
import { plaintextCopyWarning } from "../../ops/plaintext/copy.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { servicesFor, type GlobalArgs } from "../options.js";
import { runEach } from "../each-file.js";
import { filesFor } from "../bulk-files.js";
import { givenFormat, type FormatArgs } from "../sops-habits.js";
import { formatOf } from "../../stores/file-name.js";
import { getTyped } from "../../ops/get.js";
import { parseSopsPath } from "../../stores/edit/key-path.js";
import { UsageError } from "../../core/errors.js";
import { JsonReport, keyFields, refuseContentOnStdout } from "../json-report.js";

interface DecryptArgs extends GlobalArgs, FormatArgs {
  files?: string[];
  all?: boolean;
  "in-place"?: boolean;
  output?: string;
  stdout?: boolean;
  as?: string;
  force?: boolean;
  extract?: string;
  json?: boolean;
}

export async function decryptAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as DecryptArgs;
  if (a.extract !== undefined) return extract(a, ctx);
  if (a.json === true) refuseContentOnStdout(a);
  const services = servicesFor(a, ctx.io);
  await runEach(
    await filesFor("encrypted", a),
    a,
    ctx,
    async (file) => {
      const format = givenFormat(a, (f) => f ?? (file === "-" ? (a.as !== undefined ? formatOf(a.as) : undefined) : formatOf(file)));
      const r = await decryptFile(
        file,
        {
          inPlace: a["in-place"],
          output: a.output,
          stdout: a.stdout,
          as: a.as,
          force: a.force,
          format,
          configPath: a.config,
          // Under --json stdout is the report's, never the plaintext's.
          stdoutMayBeTarget: a.json !== true,
        },
        services,
      );
      const warning = r.path !== null && r.written && !a["in-place"] ? await plaintextCopyWarning(r.path) : null;
      if (warning !== null) ctx.io.stderr.write(`kmseal: ${warning}\n`);
      if (a.json === true) return { output: r.path, written: r.written, ...keyFields(r.keys) };
      if (r.path === null) ctx.io.stdout.write(r.bytes);
      else ctx.io.stdout.write(`${r.path}\n`);
      return {};
    },
    "decrypted",
    a.json === true ? new JsonReport("decrypt") : undefined,
  );
}

/**
 * sops's `decrypt --extract PATH FILE`: one value on stdout, byte for byte as sops prints a string,
 * a number, a boolean or null. A mapping or a list prints as `kmseal get` prints it (compact JSON and
 * a newline), where sops prints it in the file's format. Nothing is written to disk.
 */
async function extract(a: DecryptArgs, ctx: Ctx): Promise<void> {
  const files = a.files ?? [];
  if (files.length !== 1 || a.all === true)
    throw new UsageError("--extract reads one value from one file", { hint: `kmseal decrypt --extract '["key"]' FILE` });
  if (a.json === true)
    throw new UsageError("--extract prints the value itself; it takes no --json", { hint: "kmseal get FILE KEYPATH prints JSON for a mapping or a list" });
  if (a.output !== undefined || a["in-place"] === true)
    throw new UsageError("--extract prints the value; it takes no --output or --in-place", { hint: "redirect stdout to save it" });
  const file = files[0]!;
  const format = givenFormat(a, (f) => f ?? (file === "-" ? (a.as !== undefined ? formatOf(a.as) : undefined) : formatOf(file)));
  const got = await getTyped(file, parseSopsPath(a.extract!), { format, as: a.as, configPath: a.config }, servicesFor(a, ctx.io));
  // sops prints a string bare, a JSON scalar bare too, and a YAML scalar as a one-line YAML document.
  const scalar = !/^[[{]/.test(got.text);
  const actual = format ?? formatOf(file === "-" ? (a.as ?? "") : file);
  ctx.io.stdout.write(got.string || (scalar && actual === "json") ? got.text : got.text + "\n");
}
