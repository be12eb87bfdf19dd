import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kmseal, type CommandResult } from "../peers/harness/command.js";
import { KMSEAL_BIN } from "../peers/harness/paths.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { filesUnder, filesWithSecrets } from "./file-scan.js";
import { childEnv } from "./child-env.js";
import { commandLines } from "./process-tree.js";

/** Canary values: each must show up only where a command is asked to print or write plaintext. */
const S = {
  pw: "leak-canary-pw-1",
  tok: "leak-canary-tok-2",
  env: "leak-canary-env-3",
  set: "leak-canary-set-4",
  bad: "leak-canary-bad-5",
  edit: "leak-canary-edit-6",
};
const ALL = Object.values(S);
const clean = (r: CommandResult, what: string) => {
  for (const s of ALL) assert.ok(!r.stderr.includes(s), `${what}: stderr shows ${s}:\n${r.stderr}`);
};

describe("no plaintext leaks (spawned CLI, --verbose)", () => {
  let dir = "";
  let env: Record<string, string> = {};
  const run = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) =>
    kmseal([...args, "--verbose"], { env: { ...env, ...opts.env }, cwd: dir, timeoutMs: 30_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });

  before(async () => {
    dir = testdir({
      ".kmsrc": "rules: []\n",
      "app.yaml": `db:\n  password: ${S.pw}\ntoken: ${S.tok}\nport: 5432\n`,
      ".env": `API_KEY=${S.env}\n`,
      "bad.yaml": `password: "${S.bad}\nnext: [1,\n`,
      "bad.json": `{"a": "${S.bad}" "b": 1}\n`,
      "bad.env": `${S.bad} has no equals sign\n`,
      "editor.sh": `#!/bin/sh\nprintf 'token: "${S.edit}\\nbroken: [\\n' > "$1"\n`,
    });
    chmodSync(join(dir, "editor.sh"), 0o755);
    env = childEnv({ EDITOR: join(dir, "editor.sh") });
    for (const f of ["app.yaml", ".env"]) {
      const r = await run(["encrypt", f, "--age", TEST_AGE_RECIPIENT]);
      assert.equal(r.code, 0, r.stderr);
      clean(r, `encrypt ${f}`);
    }
  });

  it("commands that succeed print plaintext only to stdout when asked, never to stderr", async () => {
    const dec = await run(["decrypt", "--stdout", "app.enc.yaml"]);
    assert.equal(dec.code, 0, dec.stderr);
    assert.ok(dec.stdout.includes(S.pw), "decrypt --stdout prints the plaintext");
    clean(dec, "decrypt --stdout");
    for (const args of [
      ["decrypt", "app.enc.yaml", "-o", "out.yaml"],
      ["get", "app.enc.yaml", "token"],
      ["status", "app.enc.yaml", "app.yaml"],
      ["check", "app.enc.yaml"],
      ["updatekeys", "app.enc.yaml"],
      ["rotate", "app.enc.yaml"],
    ]) {
      const r = await run(args);
      assert.ok(r.code === 0 || args[0] === "check", `${args.join(" ")}: ${r.stderr}`);
      clean(r, args.join(" "));
    }
    const set = await run(["set", "app.enc.yaml", "added"], { input: S.set });
    assert.equal(set.code, 0, set.stderr);
    clean(set, "set (value on stdin)");
    assert.ok(!readFileSync(join(dir, "app.enc.yaml")).includes(S.set), "the new value is encrypted");
    const mv = await run(["mv", "app.enc.yaml", "moved.enc.yaml"]);
    assert.equal(mv.code, 0, mv.stderr);
    clean(mv, "mv");
  });

  it("commands that fail name the problem without quoting plaintext, even with --verbose stacks", async () => {
    copyFileSync(join(dir, "moved.enc.yaml"), join(dir, "tampered.enc.yaml"));
    const sealed = readFileSync(join(dir, "tampered.enc.yaml"), "utf8");
    writeFileSync(join(dir, "tampered.enc.yaml"), sealed.replace(/(token: ENC\[[^\]]*type:)str\]/, "$1int]"));
    writeFileSync(
      join(dir, "mac.enc.yaml"),
      sealed.replace(/mac: ENC\[AES256_GCM,data:(.)/, (_m, c: string) => `mac: ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`),
    );
    const failing: [string[], { input?: string; env?: Record<string, string> }][] = [
      [["decrypt", "--stdout", "tampered.enc.yaml", "--as", "moved.enc.yaml"], {}],
      [["decrypt", "--stdout", "mac.enc.yaml", "--as", "moved.enc.yaml"], {}],
      [["decrypt", "--stdout", "moved.enc.yaml"], { env: { KMSEAL_AGE_KEY: "" } }],
      [["get", "tampered.enc.yaml", "token", "--as", "moved.enc.yaml"], {}],
      [["set", "mac.enc.yaml", "added2"], { input: S.set }],
      [["encrypt", "bad.yaml", "--age", TEST_AGE_RECIPIENT], {}],
      [["encrypt", "bad.json", "--age", TEST_AGE_RECIPIENT], {}],
      [["encrypt", "bad.env", "--age", TEST_AGE_RECIPIENT], {}],
      [["edit", "moved.enc.yaml", "--no-retry"], {}],
      [["exec", ".env.enc", "--", "/nonexistent/command"], {}],
      [["exec", ".env.enc", "--", "false"], {}],
    ];
    for (const [args, opts] of failing) {
      const r = await run(args, opts);
      assert.notEqual(r.code, 0, `${args.join(" ")} should fail`);
      if (process.env["KMSEAL_DEBUG_LEAKS"]) process.stderr.write(`${args.join(" ")} → ${r.code}: ${r.stderr.split("\n")[0]}\n`);
      clean(r, args.join(" "));
      for (const s of ALL) assert.ok(!r.stdout.includes(s), `${args.join(" ")}: stdout shows ${s}`);
    }
  });

  it("exec passes values in the environment only: no process's command line holds them", async () => {
    for (const command of [
      ["sh", "-c", "sleep 1"],
      ["--shell", "--", 'test -n "$API_KEY" && sleep 1'],
    ]) {
      const args =
        command[0] === "--shell" ? ["exec", ".env.enc", "--shell", "--verbose", "--", command[2]!] : ["exec", ".env.enc", "--verbose", "--", ...command];
      const child = spawn(process.execPath, [KMSEAL_BIN, ...args], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      const seen = new Set<string>();
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      for (let i = 0; i < 20; i++) {
        for (const line of commandLines(child.pid!)) seen.add(line);
        await new Promise((r) => setTimeout(r, 40));
      }
      assert.equal(await exited, 0, stderr);
      assert.ok(
        [...seen].some((l) => l.includes("sleep 1")),
        `the child was observed: ${[...seen].join(" | ")}`,
      );
      for (const line of seen) for (const s of ALL) assert.ok(!line.includes(s), `a command line shows ${s}: ${line}`);
      for (const s of ALL) assert.ok(!stderr.includes(s), `exec stderr shows ${s}`);
    }
  });

  it("no file other than the plaintext inputs and the requested outputs holds a value (project, HOME, TMPDIR)", () => {
    const files = filesUnder(dir, dir, env["HOME"]!);
    // moved.yaml is app.yaml itself: `kmseal mv` moves a plaintext copy along with its encrypted file.
    const allowed = ["app.yaml", "moved.yaml", ".env", "out.yaml", "bad.yaml", "bad.json", "bad.env", "editor.sh"];
    assert.deepEqual(filesWithSecrets(dir, files, allowed, ALL), []);
  });
});
