/**
 * `--json` for the commands that write files (encrypt, decrypt, rotate, updatekeys): one JSON object
 * on stdout once every file has been tried, so a script reads what happened to each file, failures
 * included, without parsing prose. The shape is documented in docs/cli.md ("JSON output").
 */
import { UsageError } from "../core/errors.js";
import type { KeyRecord } from "../core/metadata.js";
import type { Io } from "./io.js";
import { errorSummary, type ErrorSummary } from "./report.js";

export interface FileEntry {
  readonly file: string;
  readonly ok: boolean;
  /** Where the result went (rotate and updatekeys: the file itself); typed as the ops answer, never null here since --json refuses stdout as a target. */
  readonly output?: string | null;
  readonly written?: boolean;
  /** The keys the encrypted file is sealed to: KMS key ARNs and age recipients. */
  readonly kms?: readonly string[];
  readonly age?: readonly string[];
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  readonly merged?: boolean;
  readonly error?: ErrorSummary;
}

export class JsonReport {
  /** By the file's position on the command line, whatever order the workers finish in. */
  private readonly entries: FileEntry[] = [];

  constructor(
    private readonly command: string,
    private readonly extra: Readonly<Record<string, unknown>> = {},
  ) {}

  add(at: number, file: string, entry: Omit<FileEntry, "ok" | "file">): void {
    this.entries[at] = { file, ok: true, ...entry };
  }

  failed(at: number, file: string, err: unknown): void {
    this.entries[at] = { file, ok: false, error: errorSummary(err) };
  }

  write(io: Io): void {
    // Every file is tried and lands in its slot (add or failed), so the array has no holes.
    const ok = this.entries.every((e) => e.ok);
    io.stdout.write(JSON.stringify({ command: this.command, ok, ...this.extra, files: this.entries }, null, 2) + "\n");
  }
}

/** The key fields of a report entry, from the records the encrypted file holds. */
export function keyFields(keys: readonly KeyRecord[]): { kms: string[]; age: string[] } {
  return {
    kms: keys.flatMap((k) => (k.type === "kms" ? [k.arn] : [])),
    age: keys.flatMap((k) => (k.type === "age" ? [k.recipient] : [])),
  };
}

/** stdout carries the report, so the file's content cannot go there too. */
export function refuseContentOnStdout(args: { files?: readonly string[] | undefined; output?: string | undefined; stdout?: boolean | undefined }): void {
  const stdin = (args.files ?? []).includes("-");
  if (args.stdout === true || args.output === "-" || (stdin && args.output === undefined))
    throw new UsageError("--json prints the report on stdout, so the file's content cannot go there too", {
      hint: "write the file with -o PATH, or leave out --json",
    });
}
