/**
 * Where a one-time MFA code comes from, in order: `--mfa-code`, `KMSEAL_MFA_CODE`, the profile's
 * `mfa_process` command (e.g. a YubiKey), then a prompt on the terminal. A code that STS refused can only
 * be replaced by asking on the terminal again; the other sources would just repeat it.
 */
import { spawn } from "node:child_process";
import { KmsealError } from "../core/errors.js";
import type { Terminal, TerminalOpener } from "../platform/terminal.js";
import { isRefusedCode, refusedCodeError } from "./sts-errors.js";

export type MfaCodeSourceKind = "flag" | "env" | "process" | "terminal" | "none";

/** A command that prints a code on stdout (run through the shell, like aws-vault's mfa_process). */
export type ProcessRunner = (command: string) => Promise<string>;

export interface MfaCodeOptions {
  flagCode?: string | undefined;
  env: NodeJS.ProcessEnv;
  mfaProcess?: string | undefined;
  /** False under CI=true or --no-input: the terminal is never used then. */
  interactive: boolean;
  terminal: TerminalOpener;
  runProcess?: ProcessRunner;
  /** The command that would fix a missing code, for hints: e.g. `kmseal login --profile dev`. */
  fixCommand: string;
}

export const MAX_TERMINAL_ATTEMPTS = 3;
const SIX_DIGITS = /^\d{6}$/;

export class MfaCodes {
  readonly first: MfaCodeSourceKind;
  readonly #opts: MfaCodeOptions;
  readonly #terminal: Terminal | undefined;

  constructor(opts: MfaCodeOptions) {
    this.#opts = opts;
    this.#terminal = opts.interactive ? opts.terminal() : undefined;
    if (nonEmpty(opts.flagCode)) this.first = "flag";
    else if (nonEmpty(opts.env["KMSEAL_MFA_CODE"])) this.first = "env";
    else if (nonEmpty(opts.mfaProcess)) this.first = "process";
    else this.first = this.#terminal !== undefined ? "terminal" : "none";
  }

  /** True when a refused code can be replaced by asking on the terminal. */
  get canAskAgain(): boolean {
    return this.#terminal !== undefined;
  }

  /**
   * The code for attempt `attempt` (1-based). Attempt 1 uses the first source; later attempts (after STS
   * refused a code) ask on the terminal, and resolve undefined when there is none.
   */
  async next(serial: string, attempt: number): Promise<string | undefined> {
    const kind = attempt === 1 ? this.first : this.#terminal !== undefined ? "terminal" : "none";
    switch (kind) {
      case "flag":
        return sixDigits(this.#opts.flagCode!.trim(), "--mfa-code");
      case "env":
        return sixDigits(this.#opts.env["KMSEAL_MFA_CODE"]!.trim(), "KMSEAL_MFA_CODE");
      case "process":
        return sixDigits(await this.#runProcess(), `the output of mfa_process`);
      case "terminal":
        return this.#ask(serial, attempt > 1 ? "STS refused that code (wrong, or already used: wait for the next one). " : "");
      case "none":
        if (attempt > 1) return undefined;
        throw new KmsealError("auth", `an MFA code is needed for ${serial}, and there is no terminal to ask for it`, {
          hint: `run \`${this.#opts.fixCommand}\` in a terminal first, or pass the code: \`KMSEAL_MFA_CODE=123456 ${this.#opts.fixCommand}\``,
        });
    }
  }

  async #ask(serial: string, preface: string): Promise<string> {
    for (let i = 1; ; i++) {
      const answer = await this.#terminal!.ask(`${preface}MFA code for ${serial}: `);
      if (answer === null)
        throw new KmsealError("auth", `no MFA code entered for ${serial} (the prompt was closed)`, { hint: `run \`${this.#opts.fixCommand}\` again` });
      const code = answer.trim();
      if (SIX_DIGITS.test(code)) return code;
      if (i >= MAX_TERMINAL_ATTEMPTS) {
        throw new KmsealError("auth", "no valid MFA code entered (a code is 6 digits)", { hint: `run \`${this.#opts.fixCommand}\` again` });
      }
      preface = "A code is 6 digits. ";
    }
  }

  async #runProcess(): Promise<string> {
    const command = this.#opts.mfaProcess!;
    try {
      return (await (this.#opts.runProcess ?? runShell)(command)).trim();
    } catch (err) {
      throw new KmsealError("auth", `mfa_process failed: ${(err as Error).message}`, {
        hint: "check the mfa_process command in your AWS profile, or pass the code with --mfa-code",
        cause: err,
      });
    }
  }
}

/**
 * Runs `call` with codes until STS accepts one; a refused code is asked again only on a terminal.
 * `noCode` explains why nothing can be asked (it knows whether a session expired or never existed).
 */
export async function withMfaCode<T>(codes: MfaCodes, serial: string, fixCommand: string, noCode: () => Error, call: (code: string) => Promise<T>): Promise<T> {
  if (codes.first === "none") throw noCode();
  for (let attempt = 1; ; attempt++) {
    const code = await codes.next(serial, attempt);
    if (code === undefined) break;
    try {
      return await call(code);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (!isRefusedCode(cause)) throw err;
      if (attempt >= MAX_TERMINAL_ATTEMPTS || !codes.canAskAgain) throw refusedCodeError(serial, fixCommand, cause);
    }
  }
  throw refusedCodeError(serial, fixCommand, undefined);
}

function sixDigits(code: string, from: string): string {
  if (!SIX_DIGITS.test(code)) {
    throw new KmsealError("auth", `the MFA code from ${from} is not 6 digits`, { hint: "use the current 6-digit code from your MFA device" });
  }
  return code;
}

/** stdin is not shared (it may carry the file being decrypted); stderr stays visible for device prompts. */
export const runShell: ProcessRunner = (command) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "inherit"], timeout: 120_000 });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (status, signal) => {
      if (status === 0) resolve(out);
      else reject(new Error(signal !== null ? `killed by ${signal}` : `exited with status ${status}`));
    });
  });

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
