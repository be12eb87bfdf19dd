/** `kmseal set FILE KEYPATH` with no VALUE on a terminal: asked without echo, like `read -s`. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { run } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import type { AskOptions } from "../../src/platform/terminal.js";
import { readAnswer } from "../../src/platform/terminal.js";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const ENV = { HOME: "/nonexistent-home", KMSEAL_AGE_KEY: TEST_AGE_IDENTITY };

async function sealed(): Promise<string> {
  const dir = testdir({ "f.env": "A=1\n" });
  assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, "f.env"], { cwd: dir })).code, 0);
  return dir;
}

/** Runs the CLI with stdin a terminal and a fake terminal that answers `answer`, recording the questions. */
async function onTerminal(argv: string[], answer: string | null, env: Record<string, string> = {}, terminal = true) {
  const asked: { question: string; opts: AskOptions | undefined }[] = [];
  let stderr = "";
  const stdin = Object.assign(Readable.from([]), { isTTY: true });
  const io: Io = {
    stdout: { write: () => true },
    stderr: { write: (c: string) => (stderr += c) },
    stdin,
    env: { ...ENV, ...env },
    stderrIsTTY: true,
    terminal: () =>
      terminal
        ? {
            ask: (question: string, opts?: AskOptions) => {
              asked.push({ question, opts });
              return Promise.resolve(answer);
            },
          }
        : undefined,
  };
  const code = await run(argv, io);
  return { code, stderr, asked };
}

describe("set reads a secret from the terminal without echo", () => {
  it("asks once, hidden, on the terminal, and stores exactly what was typed", async () => {
    const dir = await sealed();
    const file = join(dir, "f.env.enc");
    const r = await onTerminal(["set", file, "TOKEN"], "s3 cr#t'\"");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.asked, [{ question: "value for TOKEN: ", opts: { hidden: true } }]);
    assert.doesNotMatch(r.stderr, /s3 cr/);
    const got = await cli(["get", file, "TOKEN"]);
    assert.equal(got.stdout, "s3 cr#t'\"\n");
  });

  it("a cancelled prompt (Ctrl-C, Ctrl-D) writes nothing and says so", async () => {
    const dir = await sealed();
    const file = join(dir, "f.env.enc");
    const before = readFileSync(file);
    const r = await onTerminal(["set", file, "TOKEN"], null);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cancelled: no value entered for TOKEN; the file is unchanged/);
    assert.ok(readFileSync(file).equals(before));
  });

  it("never prompts under --no-input or CI, or without a terminal: a usage error that says how to pass the value", async () => {
    const dir = await sealed();
    const file = join(dir, "f.env.enc");
    const before = readFileSync(file);
    for (const [argv, env, terminal, why] of [
      [["set", "--no-input", file, "TOKEN"], {}, true, /--no-input: kmseal does not prompt/],
      [["set", file, "TOKEN"], { CI: "true" }, true, /CI is set: kmseal does not prompt/],
      [["set", file, "TOKEN"], {}, false, /there is no terminal to ask for it on/],
    ] as const) {
      const r = await onTerminal([...argv], "x", { ...env }, terminal);
      assert.equal(r.code, 2, argv.join(" "));
      assert.deepEqual(r.asked, [], "not asked");
      assert.match(r.stderr, why);
      assert.match(r.stderr, /hint: pass the value after -- .* or pipe it in/);
    }
    assert.ok(readFileSync(file).equals(before));
  });

  it("piped stdin is read as before: all of it, one trailing line break dropped", async () => {
    const dir = await sealed();
    const file = join(dir, "f.env.enc");
    assert.equal((await cli(["set", file, "TOKEN"], { stdin: "piped\n" })).code, 0);
    assert.equal((await cli(["get", file, "TOKEN"])).stdout, "piped\n");
  });
});

describe("the terminal's answer reader", () => {
  const answer = async (typed: string[], raw: boolean) => {
    const input = new PassThrough();
    const result = readAnswer(input, raw);
    for (const chunk of typed) input.write(chunk);
    input.end();
    return result;
  };
  it("hidden (raw): Enter ends, Backspace removes a character (a whole emoji), Ctrl-U clears, control keys are dropped", async () => {
    assert.equal(await answer(["ab\x7fc\r"], true), "ac");
    assert.equal(await answer(["p\u{1F511}\x7f", "w\r", "ignored"], true), "pw");
    assert.equal(await answer(["junk\x15", "real\r"], true), "real");
    assert.equal(await answer(["a\x1bb\x04c\n"], true), "abc");
    assert.equal(await answer(["tab\there\r"], true), "tab\there");
  });
  it("hidden: Ctrl-C, Ctrl-D on an empty line, or end of input cancel (null)", async () => {
    assert.equal(await answer(["abc\x03"], true), null);
    assert.equal(await answer(["\x04"], true), null);
    assert.equal(await answer(["no line break"], true), null);
  });
  it("visible: the line up to its line break", async () => {
    assert.equal(await answer(["12", "3456\r\n"], false), "123456");
    assert.equal(await answer([""], false), null);
  });
});

describe("set on a real terminal (util-linux script)", () => {
  it("does not echo the typed secret, and stores it", async (t) => {
    if (!existsSync("/usr/bin/script")) {
      t.skip("util-linux `script` is not installed: no pseudo-terminal to test on");
      return;
    }
    const dir = await sealed();
    const bin = join(process.cwd(), "dist", "kmseal.cjs");
    // script runs the command on a new pseudo-terminal; its own stdin is typed into it.
    const child = spawn("/usr/bin/script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} set f.env.enc TOKEN`, "/dev/null"], {
      cwd: dir,
      env: { PATH: process.env["PATH"], HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (c: Buffer) => {
        screen += c.toString("utf8");
        // Typed only once the question shows, as a person would: echo is off by then.
        if (screen.includes("value for TOKEN: ") && !child.stdin.writableEnded) child.stdin.end("typed-s3cret\r");
      });
      child.on("exit", resolve);
      setTimeout(() => child.kill(), 20_000).unref();
    });
    assert.equal(code, 0, screen);
    assert.match(screen, /value for TOKEN: /);
    assert.doesNotMatch(screen, /typed-s3cret/);
    assert.equal((await cli(["get", join(dir, "f.env.enc"), "TOKEN"])).stdout, "typed-s3cret\n");
  });
});
