import type { CommandSpec } from "../args.js";
import { AS_FLAG, FORMAT_FLAG } from "../flags.js";

export const execSpec: CommandSpec = {
  name: "exec",
  aliases: ["run"],
  summary: "Run a command with the decrypted top-level values as environment variables (nothing written to disk)",
  usage: "kmseal exec [options] FILE... -- CMD [ARGS...]",
  positionals: [{ name: "files", label: "FILE...", required: true, variadic: true, describe: "encrypted dotenv, YAML or JSON files" }],
  flags: {
    format: FORMAT_FLAG,
    override: { kind: "boolean", describe: "values from the files win over the existing environment" },
    strict: { kind: "boolean", describe: "refuse nested values instead of flattening them (a: {b: 1} gives a_b, names keep their case)" },
    shell: { kind: "boolean", describe: "run the command through the shell" },
    as: AS_FLAG,
  },
  dashDash: true,
  examples: [
    ["kmseal exec .env.prod.enc -- node server.js", "server.js sees the decrypted variables"],
    ["kmseal exec config/ci.enc.yaml -- ./deploy.sh", "nested keys join with _ as written: DB: {HOST: …} gives DB_HOST, db: {host: …} gives db_host"],
  ],
  load: async () => (await import("../commands/exec.js")).execAction,
};
