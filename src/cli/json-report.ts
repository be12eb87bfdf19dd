/**
 * `--json` for the commands that write files (encrypt, decrypt, rotate, updatekeys): one JSON object
 * on stdout once every file has been tried, so a script reads what happened to each file, failures
 * included, without parsing prose. The shape is documented in docs/cli.md ("JSON output").
 */
import { KmsealError, UsageError } from "../core/errors.js";
import type { KeyRecord } from "../core/metadata.js";
import { exitCodeOf, EXIT } from "./exit-codes.js";
import type { Io } from "./io.js";

export interface FileEntry {
  readonly file: string;
  readonly ok: boolean;
  /** Where the result went; null when nothing was written anywhere but the file itself (rotate, updatekeys). */
  readonly output?: string | null;
  readonly written?: boolean;
  /** The keys the encrypted file is sealed to: KMS key ARNs and age recipients. */
  readonly kms?: readonly string[];
  readonly age?: readonly string[];
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  readonly merged?: boolean;
  readonly error?: { readonly code: string; readonly exit: number; readonly message: string; readonly hint: string | null };
}

export class JsonReport {
  private readonly entries: FileEntry[] = [];

  constructor(
    private readonly command: string,
    private readonly extra: Readonly<Record<string, unknown>> = {},
  ) {}

  add(file: string, entry: Omit<FileEntry, "ok" | "file">): void {
    this.entries.push({ file, ok: true, ...entry });
  }

  failed(file: string, err: unknown): void {
    const known = err instanceof KmsealError;
    this.entries.push({
      file,
      ok: false,
      error: {
        code: known ? err.code : "internal",
        exit: known ? exitCodeOf(err.code) : EXIT.internal,
        message: known ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`,
        hint: known ? (err.hint ?? null) : "this is a bug; rerun with --verbose and report it",
      },
    });
  }

  write(io: Io): void {
    // Files in the order the command line named them, whatever order the workers finished in.
    const ok = this.entries.every((e) => e.ok);
    io.stdout.write(JSON.stringify({ command: this.command, ok, ...this.extra, files: this.entries }, null, 2) + "\n");
  }

  sortBy(order: readonly string[]): void {
    const at = new Map(order.map((f, i) => [f, i]));
    this.entries.sort((a, b) => (at.get(a.file) ?? 0) - (at.get(b.file) ?? 0));
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
