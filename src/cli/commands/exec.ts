import type { Argv } from "yargs";
import { execWith } from "../../ops/exec.js";
import type { Format } from "../../stores/store.js";
import type { Ctx } from "../command.js";
import { formatOption, servicesFor, type GlobalArgs } from "../options.js";

interface Args extends GlobalArgs {
  files: string[];
  "--"?: string[];
  override?: boolean;
  strict?: boolean;
  shell?: boolean;
  as?: string;
  format?: Format;
}

export function execCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "exec <files..>",
    "Run a command with the decrypted top-level values as environment variables (nothing written to disk)",
    (b) =>
      formatOption(b)
        .positional("files", { type: "string", array: true, describe: "encrypted dotenv, YAML or JSON files" })
        .option("override", { type: "boolean", describe: "values from the files win over the existing environment" })
        .option("strict", { type: "boolean", describe: "refuse nested values instead of flattening them as A_B_C" })
        .option("shell", { type: "boolean", describe: "run the command through the shell" })
        .option("as", { type: "string", describe: "decrypt as if the file were at this project-relative path" })
        .parserConfiguration({ "populate--": true })
        .example("kmseal exec .env.prod.enc -- node server.js", "server.js sees the decrypted variables")
        .example("kmseal exec config/ci.enc.yaml -- ./deploy.sh", "nested keys become DB_HOST, DB_PORT …"),
    async (argv) => {
      const a = argv as unknown as Args;
      ctx.exitCode = await execWith(a.files, a["--"] ?? [], { override: a.override, strict: a.strict, shell: a.shell, as: a.as, format: a.format, configPath: a.config, maskSink: ctx.io.stdout }, servicesFor(a, ctx.io));
    },
  );
}
