import type { Argv } from "yargs";
import { editFile } from "../../ops/edit/edit.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";

interface Args extends GlobalArgs {
  file: string;
  retry?: boolean;
  kms?: string[];
  age?: string[];
  format?: Format;
}

export function editCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "edit <file>",
    "Edit an encrypted file in $VISUAL/$EDITOR; unchanged values keep their ciphertext; a new file starts empty",
    (b) =>
      formatOption(b)
        .positional("file", { type: "string", describe: "encrypted file (a missing one is created when it has an encrypted name, e.g. x.enc.yaml)" })
        .option("retry", { type: "boolean", default: true, describe: "re-open the editor when the content is invalid (--no-retry: abort)" })
        .option("kms", { type: "string", array: true, describe: "for a new file: KMS key ARN, key id or alias/NAME (default: the .kmsrc rule)" })
        .option("age", { type: "string", array: true, describe: "for a new file: age recipient (default: the .kmsrc rule)" })
        .example("kmseal edit config/app.enc.yaml", "opens the decrypted YAML in your editor")
        .example("EDITOR='code --wait' kmseal edit .env.prod.enc", "an editor with arguments")
        .example("kmseal edit config/new.enc.yaml", "creates a file, encrypted with the matching rule's keys"),
    async (argv) => {
      const a = argv as unknown as Args;
      const interactive = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true;
      const services = servicesFor(a, ctx.io);
      const r = await editFile(a.file, { format: a.format, configPath: a.config, kms: a.kms, age: a.age, retry: a.retry !== false && a.input !== false && interactive, interactive }, services);
      if (a.quiet) return;
      if (r.written) ctx.io.stderr.write(`kmseal: ${r.created ? "created" : "saved"} ${r.path}\n`);
      else ctx.io.stderr.write(`kmseal: no change; ${r.path} was ${r.created ? "not created" : "left as it was"}\n`);
    },
  );
}
