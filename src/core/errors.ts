/**
 * Typed errors. Every error kmseal raises on purpose carries a `code` that the CLI maps to an exit
 * status in one table (cli/exit-codes.ts), and an optional `hint` that says what to do next.
 * Messages never contain plaintext values or key material.
 */
export type ErrorCode =
  | "usage" // exit 2: bad flags, unparseable input, wrong state (already / not encrypted)
  | "integrity" // exit 3: MAC mismatch, tampered or moved value, path context mismatch
  | "key" // exit 4: no key source could unwrap the data key
  | "auth" // exit 5: no credentials, MFA unavailable or refused
  | "check" // exit 6: the pre-commit guard found problems
  | "internal"; // exit 1

export interface ErrorDetails {
  file?: string;
  keyPath?: string;
  hint?: string;
  cause?: unknown;
}

export class KmsealError extends Error {
  readonly code: ErrorCode;
  file: string | undefined;
  keyPath: string | undefined;
  hint: string | undefined;
  /** What went wrong, without where; `message` is this after the location. */
  reason: string;
  declare message: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = details.file;
    this.keyPath = details.keyPath;
    this.hint = details.hint;
    this.reason = message;
    // A plain `catch (e) { console.error(e.message) }` must still say which file and key; the file is
    // often added later (inFile), so the message is composed when read.
    Object.defineProperty(this, "message", {
      get: () => (this.location === "" ? this.reason : `${this.location}: ${this.reason}`),
      set: (text: string) => {
        this.reason = text;
      },
      enumerable: false,
      configurable: true,
    });
  }

  /** `file[:line:column][: key.path]`, or "" when neither is known. */
  get location(): string {
    return [this.file ?? "", this.keyPath ?? ""].filter((x) => x !== "").join(": ");
  }

  /** Adds the file name when a lower layer did not know it. */
  inFile(file: string): this {
    this.file ??= file;
    return this;
  }
}

/** Input that cannot be parsed: carries a 1-based line and column. */
export class FormatError extends KmsealError {
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, pos: { line?: number; column?: number } = {}, details: ErrorDetails = {}) {
    super("usage", message, details);
    this.line = pos.line;
    this.column = pos.column;
  }

  override get location(): string {
    const where = (this.file ?? "") + (this.line !== undefined ? `:${this.line}:${this.column ?? 1}` : "");
    return [where, this.keyPath ?? ""].filter((x) => x !== "").join(": ");
  }
}

/** An `ENC[...]` string that is malformed or does not authenticate under its key path. */
export class InvalidValueError extends KmsealError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("integrity", message, details);
  }
}

export class MacMismatchError extends KmsealError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("integrity", message, details);
  }
}

/** No key source could recover the data key. `reasons` has one line per key tried. */
export class NoMatchingKeyError extends KmsealError {
  readonly reasons: readonly string[];
  constructor(message: string, reasons: readonly string[], details: ErrorDetails = {}) {
    super("key", message, details);
    this.reasons = reasons;
  }
}

/** A `.kmsrc` problem; not a FormatError, so nothing mistakes it for bad input being edited. */
export class ConfigError extends KmsealError {
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, details: ErrorDetails & { line?: number | undefined; column?: number | undefined } = {}) {
    super("usage", message, details);
    this.line = details.line;
    this.column = details.column;
  }

  override get location(): string {
    return (this.file ?? "") + (this.line !== undefined ? `:${this.line}:${this.column ?? 1}` : "");
  }
}

export class UsageError extends KmsealError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("usage", message, details);
  }
}
