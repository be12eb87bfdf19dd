import type { CommandSpec } from "../args.js";
import { FORMAT_FLAG } from "../flags.js";

export const editSpec: CommandSpec = {
  name: "edit",
  summary: "Edit an encrypted file in $VISUAL/$EDITOR; unchanged values keep their ciphertext; a new file starts empty",
  usage: "kmseal edit [options] FILE",
  positionals: [
    { name: "file", label: "FILE", required: true, describe: "encrypted file (a missing one is created when it has an encrypted name, e.g. x.enc.yaml)" },
  ],
  flags: {
    format: FORMAT_FLAG,
    retry: { kind: "boolean", default: true, describe: "re-open the editor when the content is invalid (--no-retry: abort)" },
    kms: {
      kind: "repeatable",
      value: "KEY",
      describe: "for a new file: KMS key ARN, key id or alias/NAME (default: the .kmsrc rule; repeatable, or a comma list)",
      commaList: true,
    },
    age: {
      kind: "repeatable",
      value: "RECIPIENT",
      describe: "for a new file: age recipient (default: the .kmsrc rule; repeatable, or a comma list)",
      commaList: true,
    },
  },
  examples: [
    ["kmseal edit config/app.enc.yaml", "opens the decrypted YAML in your editor"],
    ["EDITOR='code --wait' kmseal edit .env.prod.enc", "an editor with arguments"],
    ["kmseal edit config/new.enc.yaml", "creates a file, encrypted with the matching rule's keys"],
  ],
  load: async () => (await import("../commands/edit.js")).editAction,
};
