import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { join } from "node:path";
import { fastCommand } from "../../src/cli/fast-args.js";
import { runFast } from "../../src/cli/fast-run.js";
import { run } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

describe("fastCommand", () => {
  it("reads the plain forms of check, decrypt and encrypt into the shape yargs gives the handlers", () => {
    assert.deepEqual(fastCommand(["check", "--staged", "-q"]), { name: "check", args: { files: [], input: true, staged: true, quiet: true } });
    assert.deepEqual(fastCommand(["decrypt", "-o", "out.yaml", "--as=config/a.enc.yaml", "a.enc.yaml", "--no-input"]), {
      name: "decrypt",
      args: { files: ["a.enc.yaml"], input: false, output: "out.yaml", as: "config/a.enc.yaml" },
    });
    assert.deepEqual(fastCommand(["encrypt", "--kms", "alias/a", "--kms", "alias/b", "--context", "env=prod", "-", "--format", "json", "--stdout"]), {
      name: "encrypt",
      args: { files: ["-"], input: true, kms: ["alias/a", "alias/b"], context: ["env=prod"], format: "json", stdout: true },
    });
  });

  it("leaves every other line to yargs: help, version, other commands, unknown, repeated or odd flags", () => {
    for (const argv of [
      [],
      ["--version"],
      ["decrypt", "--help"],
      ["decrypt", "-h"],
      ["get", "a.enc.yaml", "k"],
      ["decrypt", "--bogus", "a"],
      ["decrypt", "-o", "x", "-o", "y", "a"],
      ["decrypt", "-qv", "a"],
      ["decrypt", "--", "a"],
      ["decrypt", "--stdout=true", "a"],
      ["decrypt", "--stdout", "true", "a"],
      ["decrypt", "-o"],
      ["decrypt", "-o", "--stdout", "a"],
      ["decrypt", "--as", "", "a"],
      ["decrypt", "--format", "toml", "a"],
      ["check", "--all"],
      ["encrypt", "--no-kms", "a"],
    ]) {
      assert.equal(fastCommand(argv), undefined, argv.join(" "));
    }
  });
});

function capture(env: Record<string, string>): { io: Io; out: () => { stdout: string; stderr: string } } {
  const stdout: Buffer[] = [];
  let stderr = "";
  const io: Io = {
    stdout: { write: (c: string | Uint8Array) => stdout.push(Buffer.from(c)) },
    stderr: { write: (c: string) => (stderr += c) },
    stdin: Readable.from([]),
    env,
    stderrIsTTY: false,
  };
  return { io, out: () => ({ stdout: Buffer.concat(stdout).toString("utf8"), stderr }) };
}

describe("the fast path and the yargs CLI", () => {
  it("give the same output and exit code for the same command line", async () => {
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`, "config/app.yaml": "db:\n  password: s3cret\n", "config/plain.yaml": "token: x\n" });
    const env = { HOME: join(dir, "home"), KMSEAL_AGE_KEY: TEST_AGE_IDENTITY };
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const prepared = capture(env);
      assert.equal(await run(["encrypt", "-q", "config/app.yaml"], prepared.io), 0, prepared.out().stderr);
      const lines = [
        ["decrypt", "--stdout", "config/app.enc.yaml"],
        ["decrypt", "-o", "out.yaml", "config/app.enc.yaml"],
        ["decrypt", "--stdout", "config/missing.enc.yaml"],
        ["decrypt", "--stdout", "config/app.yaml"],
        ["check", "config/app.enc.yaml"],
        ["check", "config/plain.yaml"],
        ["check", "--json", "config/app.enc.yaml", "config/plain.yaml"],
        ["encrypt", "--stdout", "config/app.enc.yaml"],
      ];
      for (const argv of lines) {
        const viaYargs = capture(env);
        const yargsCode = await run(argv, viaYargs.io);
        const command = fastCommand(argv);
        assert.ok(command !== undefined, argv.join(" "));
        const viaFast = capture(env);
        const fastCode = await runFast(command, viaFast.io);
        assert.deepEqual({ code: fastCode, ...viaFast.out() }, { code: yargsCode, ...viaYargs.out() }, argv.join(" "));
      }
    } finally {
      process.chdir(previous);
    }
  });
});
