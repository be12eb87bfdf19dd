/**
 * Limits on one document, so that a huge or hostile file ends in a one-line error (exit 2) instead of
 * a V8 out-of-memory abort. Each parsed value costs a few KB of bookkeeping (its path, its sealed and
 * opened forms, its MAC input), so the count of values is bounded as well as the size in bytes.
 *
 * - at most 128 MiB per file (a 50 MB binary blob encrypts to about 67 MB and stays well inside);
 * - at most 1,000,000 values and collections per document (10× the largest documents the tests use;
 *   a 500,000-line `.env` works).
 */
import { UsageError } from "../core/errors.js";

export const MAX_DOCUMENT_BYTES = 128 * 1024 * 1024;
export const MAX_DOCUMENT_NODES = 1_000_000;

const HINT = 'kmseal keeps a whole document in memory; split it into several files (see "Limits" in the README)';

export function checkDocumentSize(bytes: number): void {
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new UsageError(`the file is ${(bytes / 1024 / 1024).toFixed(0)} MiB, over the limit of ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB per file`, {
      hint: HINT,
    });
  }
}

/** Counts a document's nodes as a parser meets them; `fail` reports the position the caller knows. */
export class NodeBudget {
  private count = 0;
  constructor(
    private readonly fail: (message: string) => never = (m) => {
      throw new UsageError(m, { hint: HINT });
    },
  ) {}

  take(): void {
    if (++this.count > MAX_DOCUMENT_NODES) this.fail(`more than ${MAX_DOCUMENT_NODES} values in one document (the limit per file)`);
  }
}

/**
 * An upper bound on a YAML text's nodes without parsing it: every node but the first starts on a new
 * line or after a flow `,` / `[` / `{`. The YAML parser's own structures cost far more per node than
 * the document's, so this runs before it.
 */
export function checkYamlNodeBound(input: Uint8Array): void {
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === 0x0a || c === 0x2c || c === 0x5b || c === 0x7b) n++;
  }
  if (n > MAX_DOCUMENT_NODES) {
    throw new UsageError(`more than ${MAX_DOCUMENT_NODES} lines and flow items in one YAML document (the limit per file)`, { hint: HINT });
  }
}
