import type { CommandSpec } from "../args.js";
import { FORMAT_FLAG, INPUT_TYPE_FLAG } from "../flags.js";

export const filestatusSpec: CommandSpec = {
  name: "filestatus",
  summary: 'Print {"encrypted":true} or {"encrypted":false} for FILE, as sops filestatus does',
  usage: "kmseal filestatus [options] FILE",
  positionals: [{ name: "file", label: "FILE", required: true, describe: "the file to look at (no key is needed)" }],
  flags: { format: FORMAT_FLAG, "input-type": INPUT_TYPE_FLAG },
  examples: [["kmseal filestatus config/app.enc.yaml", 'prints {"encrypted":true}']],
  load: async () => (await import("../commands/filestatus.js")).filestatusAction,
};
