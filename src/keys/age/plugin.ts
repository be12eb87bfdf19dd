/**
 * The client side of the age plugin protocol (recipient-v1 and identity-v1): a recipient
 * `age1NAME1…` or an identity `AGE-PLUGIN-NAME-1…` is handed to `age-plugin-NAME`, which wraps or
 * unwraps the file key; the two sides exchange stanzas over the plugin's stdin and stdout.
 *
 * The plugin is looked up in the absolute PATH entries only, and never inside the repository kmseal
 * runs in: a repository's .kmsrc may name a plugin recipient, and must not be able to ship the
 * program that then runs.
 */
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { KmsealError } from "../../core/errors.js";
import { bech32Decode, encodeStanza, unb64, type Stanza } from "./format.js";
import { isCi, openTty } from "../../platform/terminal.js";

export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z0-9+\-._]+$/;

/** The plugin name of an `age1NAME1…` recipient; null when it is not a plugin recipient. */
export function pluginRecipientName(recipient: string): string | null {
  const d = bech32Decode(recipient);
  if (d === null || !d.hrp.startsWith("age1")) return null;
  const name = d.hrp.slice(4);
  return NAME.test(name) ? name : null;
}

/** The plugin name of an `AGE-PLUGIN-NAME-1…` identity; null when it is not a plugin identity. */
export function pluginIdentityName(identity: string): string | null {
  if (!identity.startsWith("AGE-PLUGIN-")) return null;
  const d = bech32Decode(identity);
  if (d === null || !d.hrp.startsWith("age-plugin-") || !d.hrp.endsWith("-")) return null;
  const name = d.hrp.slice("age-plugin-".length, -1);
  return NAME.test(name) ? name : null;
}

/** The folder holding the repository kmseal runs in (the nearest ancestor with .git or .kmsrc), if any. */
function repositoryRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git")) || existsSync(join(dir, ".kmsrc"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const inside = (dir: string, root: string): boolean => {
  const r = relative(root, dir);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

/** `age-plugin-NAME` in an absolute PATH entry outside the repository; throws saying what it looked at. */
export function findPlugin(name: string, env: Env, cwd: string = process.cwd()): string {
  const file = `age-plugin-${name}`;
  const root = repositoryRoot(cwd);
  const skipped: string[] = [];
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "" || !isAbsolute(dir)) continue;
    const path = join(dir, file);
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, fsConstants.X_OK);
    } catch {
      continue;
    }
    if (root !== undefined && inside(resolve(dir), root)) {
      skipped.push(path);
      continue;
    }
    return path;
  }
  const why = skipped.length > 0 ? ` (${skipped.join(", ")} is inside the repository ${root}, and kmseal never runs a program a repository ships)` : "";
  throw new KmsealError("key", `the age plugin ${file} is not installed: no absolute PATH entry holds it${why}`, {
    hint: `install ${file} into a folder on PATH (e.g. /usr/local/bin), as age and sops need it too`,
  });
}

/** Stanzas from a plugin's stdout, read as they arrive. */
class Connection {
  private buffered = "";
  private ended = false;
  private waiting: (() => void) | undefined;
  private readonly exited: Promise<number | null>;
  private readonly stderrTail: string[] = [];
  private readonly child;

  constructor(
    readonly path: string,
    protocol: string,
    env: Env,
  ) {
    // The plugin's stderr is kept for the error message, not shown: a plugin that talks to the user
    // does it through msg stanzas or its own terminal prompts.
    this.child = spawn(path, [`--age-plugin=${protocol}`], { cwd: tmpdir(), env: { ...env }, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("latin1");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffered += chunk;
      this.wake();
    });
    this.child.stdout.on("end", () => {
      this.ended = true;
      this.wake();
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrTail.push(chunk);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    this.child.stdin.on("error", () => undefined); // a plugin that exits early: reported by read()
    this.exited = new Promise((res) => {
      this.child.on("error", () => {
        this.ended = true;
        this.wake();
        res(null);
      });
      this.child.on("close", (code) => {
        res(code);
      });
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  write(type: string, args: readonly string[] = [], body: Uint8Array = Buffer.alloc(0)): void {
    this.child.stdin.write(encodeStanza(type, args, body), "latin1");
  }

  private async line(): Promise<string> {
    for (;;) {
      const end = this.buffered.indexOf("\n");
      if (end >= 0) {
        const l = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        return l;
      }
      if (this.ended) throw new Error(`it stopped before finishing the exchange${this.stderr()}`);
      await new Promise<void>((res) => (this.waiting = res));
    }
  }

  stderr(): string {
    const text = this.stderrTail.join("").trim().split("\n").slice(-3).join(" / ");
    return text === "" ? "" : ` (it said: ${text.slice(0, 500)})`;
  }

  async read(): Promise<Stanza> {
    const first = await this.line();
    const args = first.split(" ");
    if (args.shift() !== "->" || args.length === 0 || args.some((a) => !/^[\x21-\x7e]+$/.test(a))) throw new Error("it sent a malformed stanza");
    const parts: Buffer[] = [];
    for (;;) {
      const b = await this.line();
      const raw = b.length <= 64 ? unb64(b) : null;
      if (raw === null) throw new Error("it sent a malformed stanza body");
      parts.push(raw);
      if (b.length < 64) break;
    }
    const [type, ...rest] = args as [string, ...string[]];
    return { type, args: rest, body: Buffer.concat(parts) };
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    this.child.kill("SIGINT");
    await this.exited;
  }
}

/** How kmseal talks to the user for a plugin: its messages, and the values it asks for. */
export interface PluginUi {
  /** A message for the user (e.g. "touch your YubiKey"). */
  readonly message: (text: string) => void;
  /** The user's answer, or null when there is none (no terminal, CI, cancelled). */
  readonly ask: (question: string, hidden: boolean) => Promise<string | null>;
}

/** No answer under CI or without a terminal: the plugin is told "fail" and reports it in its own words. */
const terminalUi = (name: string, env: Env): PluginUi => ({
  message: (text) => process.stderr.write(`kmseal: age-plugin-${name}: ${text}\n`),
  ask: async (question, hidden) => {
    const terminal = isCi(env) ? undefined : openTty();
    return terminal === undefined ? null : await terminal.ask(`kmseal: age-plugin-${name}: ${question} `, { hidden });
  },
});

/**
 * Answers the plugin's interactive requests: messages go to stderr, a secret (a PIN) is read from
 * the terminal without echo, a public value and a confirmation with echo. Without a terminal the
 * answer is "fail", which the plugin reports in its own words.
 */
async function answer(conn: Connection, s: Stanza, ui: PluginUi): Promise<void> {
  switch (s.type) {
    case "msg":
      ui.message(s.body.toString("utf8"));
      conn.write("ok");
      return;
    case "request-secret":
    case "request-public": {
      const value = await ui.ask(s.body.toString("utf8"), s.type === "request-secret");
      if (value === null) conn.write("fail");
      else conn.write("ok", [], Buffer.from(value, "utf8"));
      return;
    }
    case "confirm": {
      const yes = s.args[0] !== undefined ? unb64(s.args[0])?.toString("utf8") : undefined;
      const no = s.args[1] !== undefined ? unb64(s.args[1])?.toString("utf8") : undefined;
      if (yes === undefined || (s.args.length === 2 && no === undefined) || s.args.length > 2) throw new Error("it sent a malformed confirm");
      const choice = await ui.ask(`${s.body.toString("utf8")} [${no === undefined ? yes : `${yes}/${no}`}]`, false);
      if (choice === null || (choice !== yes && choice !== no)) conn.write("fail");
      else conn.write("ok", [choice === yes ? "yes" : "no"]);
      return;
    }
    default:
      conn.write("unsupported");
  }
}

function pluginError(name: string, what: string, err: unknown): KmsealError {
  if (err instanceof KmsealError) return err;
  return new KmsealError("key", `age-plugin-${name} could not ${what}: ${(err as Error).message}`, {
    hint: `run \`AGEDEBUG=plugin age\` with the same key to see the plugin's side`,
  });
}

/** recipient-v1: the stanzas `age-plugin-NAME` wraps `fileKey` into for `recipient`. */
export async function pluginWrap(recipient: string, fileKey: Uint8Array, env: Env, ui?: PluginUi): Promise<Stanza[]> {
  const name = pluginRecipientName(recipient);
  if (name === null) throw new KmsealError("usage", `"${recipient}" is not an age plugin recipient`);
  const conn = new Connection(findPlugin(name, env), "recipient-v1", env);
  const stanzas: Stanza[] = [];
  try {
    conn.write("add-recipient", [recipient]);
    conn.write("wrap-file-key", [], fileKey);
    conn.write("done");
    for (;;) {
      const s = await conn.read();
      if (s.type === "done") break;
      if (s.type === "recipient-stanza") {
        if (s.args.length < 2 || s.args[0] !== "0") throw new Error("it sent a malformed recipient-stanza");
        stanzas.push({ type: s.args[1]!, args: s.args.slice(2), body: s.body });
        conn.write("ok");
      } else if (s.type === "error") {
        conn.write("ok");
        throw new Error(`${s.args.join(" ")}: ${s.body.toString("utf8")}`);
      } else {
        await answer(conn, s, ui ?? terminalUi(name, env));
      }
    }
    if (stanzas.length === 0) throw new Error("it returned no stanza");
    return stanzas;
  } catch (err) {
    throw pluginError(name, `wrap the data key for ${recipient}`, err);
  } finally {
    await conn.close();
  }
}

/** identity-v1: the file key `age-plugin-NAME` recovers from `stanzas` with `identity`; null when none is its. */
export async function pluginUnwrap(identity: string, stanzas: readonly Stanza[], env: Env, ui?: PluginUi): Promise<Buffer | null> {
  const name = pluginIdentityName(identity);
  if (name === null) throw new KmsealError("usage", "an AGE-PLUGIN- identity is malformed");
  const conn = new Connection(findPlugin(name, env), "identity-v1", env);
  let fileKey: Buffer | null = null;
  try {
    conn.write("add-identity", [identity]);
    for (const s of stanzas) conn.write("recipient-stanza", ["0", s.type, ...s.args], s.body);
    conn.write("done");
    for (;;) {
      const s = await conn.read();
      if (s.type === "done") break;
      if (s.type === "file-key") {
        if (s.args.length !== 1 || s.args[0] !== "0" || fileKey !== null) throw new Error("it sent a malformed file-key");
        fileKey = s.body;
        conn.write("ok");
      } else if (s.type === "error") {
        conn.write("ok");
        throw new Error(`${s.args.join(" ")}: ${s.body.toString("utf8")}`);
      } else {
        await answer(conn, s, ui ?? terminalUi(name, env));
      }
    }
    return fileKey;
  } catch (err) {
    throw pluginError(name, "unwrap the data key", err);
  } finally {
    await conn.close();
  }
}
