import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const DUMP = "const fs=require('fs');fs.writeFileSync(process.argv[1], JSON.stringify(process.env))";

async function sealedEnv(content: string, name = ".env"): Promise<{ dir: string; enc: string }> {
  const dir = testdir({ [name]: content });
  const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, name)]);
  assert.equal(r.code, 0, r.stderr);
  return { dir, enc: join(dir, `${name}.enc`) };
}

describe("exec", () => {
  it("passes values with spaces, quotes, =, unicode and newlines intact, and returns the child's exit code", async () => {
    const { dir, enc } = await sealedEnv(
      'SPACES=a b  c\nQUOTED="say \\"hi\\""\nSINGLE=\'it is $HOME\'\nEQUALS=k=v=w\nUNICODE=héllo ✓ 日本\nMULTI="line1\nline2"\nexport EXPORTED=yes\n',
    );
    const out = join(dir, "env.json");
    const r = await cli(["exec", enc, "--", process.execPath, "-e", DUMP + ";process.exit(3)", out]);
    assert.equal(r.code, 3, r.stderr);
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    assert.equal(env["SPACES"], "a b  c");
    assert.equal(env["QUOTED"], 'say "hi"');
    assert.equal(env["SINGLE"], "it is $HOME");
    assert.equal(env["EQUALS"], "k=v=w");
    assert.equal(env["UNICODE"], "héllo ✓ 日本");
    assert.equal(env["MULTI"], "line1\nline2");
    assert.equal(env["EXPORTED"], "yes");
    // Nothing but the inputs, the encrypted file and the child's own dump exists: no plaintext written.
    assert.deepEqual(readdirSync(dir).sort(), [".env", ".env.enc", "env.json"]);
  });

  it("flattens nested YAML values, keeps the existing environment unless --override", async () => {
    const dir = testdir({ "app.yaml": "DB:\n  HOST: db.internal\n  PORT: 5432\nHOME: /from/file\n" });
    await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")]);
    const out = join(dir, "env.json");
    const keep = await cli(["exec", join(dir, "app.enc.yaml"), "--", process.execPath, "-e", DUMP, out], { env: { HOME: "/real/home" } });
    assert.equal(keep.code, 0, keep.stderr);
    let env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    assert.equal(env["DB_HOST"], "db.internal");
    assert.equal(env["DB_PORT"], "5432");
    assert.equal(env["HOME"], "/real/home");
    const over = await cli(["exec", "--override", join(dir, "app.enc.yaml"), "--", process.execPath, "-e", DUMP, out], { env: { HOME: "/real/home" } });
    assert.equal(over.code, 0, over.stderr);
    env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    assert.equal(env["HOME"], "/from/file");
    const strict = await cli(["exec", "--strict", join(dir, "app.enc.yaml"), "--", process.execPath, "-e", "0"]);
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /DB/);
  });

  it("exports nested names as they are written, joined with _ (db.host gives db_host, as the help says)", async () => {
    const dir = testdir({ "app.yaml": "db:\n  host: h1\nDB:\n  HOST: h2\n" });
    await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")]);
    const out = join(dir, "env.json");
    const r = await cli(["exec", join(dir, "app.enc.yaml"), "--", process.execPath, "-e", DUMP, out]);
    assert.equal(r.code, 0, r.stderr);
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    assert.equal(env["db_host"], "h1");
    assert.equal(env["DB_HOST"], "h2");
    const help = await cli(["exec", "--help"]);
    assert.match(help.stdout, /db: \{host: …\} gives db_host/);
  });

  it("runs as `kmseal run` too (dotenvx's word), in-process and through the bundled bin", async () => {
    const { dir, enc } = await sealedEnv("SECRET=s3cr3t\n");
    const out = join(dir, "env.json");
    const r = await cli(["run", enc, "--", process.execPath, "-e", DUMP + ";process.exit(4)", out]);
    assert.equal(r.code, 4, r.stderr);
    assert.equal((JSON.parse(readFileSync(out, "utf8")) as Record<string, string>)["SECRET"], "s3cr3t");
    const bin = spawnSync(
      process.execPath,
      [join(process.cwd(), "dist", "kmseal.cjs"), "run", enc, "--", process.execPath, "-e", "process.exit(process.env.SECRET === 's3cr3t' ? 9 : 1)"],
      {
        env: { ...process.env, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: dir },
        encoding: "utf8",
      },
    );
    assert.equal(bin.status, 9, bin.stderr);
    const help = await cli(["run", "--help"]);
    assert.match(help.stdout, /^usage: kmseal exec .*\n {2}also: kmseal run \[options\] FILE\.\.\. -- CMD/);
    const overview = await cli(["--help"]);
    assert.match(overview.stdout, /\(also: run\)/);
  });

  it("exits 127 for a command that is not found and 126 for one that is not executable, as shells do", async () => {
    const { dir, enc } = await sealedEnv("SECRET=s3cr3t\n");
    const missing = await cli(["exec", enc, "--", join(dir, "no-such-command")]);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /^kmseal: exec: .*no-such-command: command not found$/m);
    const notExecutable = join(dir, "not-executable.sh");
    writeFileSync(notExecutable, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const denied = await cli(["exec", enc, "--", notExecutable]);
    assert.equal(denied.code, 126, denied.stderr);
    assert.match(denied.stderr, /not-executable\.sh: permission denied$/m);
    assert.doesNotMatch(missing.stderr + denied.stderr, /s3cr3t/);
    const viaShell = await cli(["exec", "--shell", enc, "--", "exit 5"]);
    assert.equal(viaShell.code, 5, viaShell.stderr);
  });

  it("registers every line of every value with ::add-mask:: on GitHub Actions", async () => {
    const { enc } = await sealedEnv('TOKEN=abc123\nCERT="first\nsecond"\n');
    const r = await cli(["exec", enc, "--", process.execPath, "-e", "0"], { env: { GITHUB_ACTIONS: "true" } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^::add-mask::abc123$/m);
    assert.match(r.stdout, /^::add-mask::first$/m);
    assert.match(r.stdout, /^::add-mask::second$/m);
  });

  it("forwards SIGTERM to the child and returns its exit status", async () => {
    const { dir, enc } = await sealedEnv("SECRET=s3cr3t\n");
    const marker = join(dir, "got-term");
    const childCode = `process.on('SIGTERM',()=>{require('fs').writeFileSync(${JSON.stringify(marker)},'x');process.exit(7)});console.log('ready');setInterval(()=>{},1000)`;
    const proc = spawn(process.execPath, [BIN, "exec", enc, "--", process.execPath, "-e", childCode], {
      env: { ...process.env, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) resolve();
      });
      proc.on("exit", () => {
        reject(new Error("kmseal exited before the child was ready"));
      });
    });
    proc.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) =>
      proc.on("exit", (c) => {
        resolve(c);
      }),
    );
    assert.equal(code, 7);
    assert.equal(existsSync(marker), true);
  });

  it("keeps values off the child's command line", async () => {
    const { dir, enc } = await sealedEnv("SECRET=s3cr3t-value\n");
    const out = join(dir, "cmdline");
    // The child reads its own /proc/self/cmdline and that of its parent (kmseal) while it runs.
    const code =
      "const fs=require('fs');fs.writeFileSync(process.argv[1], fs.readFileSync('/proc/self/cmdline','utf8')+fs.readFileSync('/proc/'+process.ppid+'/cmdline','utf8'))";
    writeFileSync(out, "");
    const proc = spawn(process.execPath, [BIN, "exec", enc, "--", process.execPath, "-e", code, out], {
      env: { ...process.env, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: dir },
    });
    const exit = await new Promise<number | null>((resolve) =>
      proc.on("exit", (c) => {
        resolve(c);
      }),
    );
    assert.equal(exit, 0);
    const text = readFileSync(out, "utf8");
    assert.ok(text.includes("exec"), "read the command lines");
    assert.ok(!text.includes("s3cr3t-value"));
  });
});
