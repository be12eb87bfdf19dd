/** `--json` on the commands that write files: the documented shape, failures included, and nothing else on stdout. */
import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

const { reset } = fakeKms();
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };
const SECOND = FAKE_ARN.replace("0f0f0f0f", "1e1e1e1e");

const ENTRY_KEYS = new Set(["file", "ok", "output", "written", "kms", "age", "added", "removed", "merged", "error"]);

/** Parses stdout as the one report object and checks every field's type, so a renamed or stray field fails. */
function report(stdout: string, command: string): { ok: boolean; dryRun?: boolean; files: Record<string, unknown>[] } {
  const r = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(r["command"], command);
  assert.equal(typeof r["ok"], "boolean");
  assert.ok(Array.isArray(r["files"]));
  for (const key of Object.keys(r)) assert.ok(["command", "ok", "files", "dryRun"].includes(key), `unexpected top-level field ${key}`);
  const files = r["files"] as Record<string, unknown>[];
  for (const f of files) {
    for (const key of Object.keys(f)) assert.ok(ENTRY_KEYS.has(key), `unexpected field ${key}`);
    assert.equal(typeof f["file"], "string");
    assert.equal(typeof f["ok"], "boolean");
    if (f["ok"] === true) {
      assert.equal(f["error"], undefined);
      assert.ok(f["output"] === null || typeof f["output"] === "string");
      assert.equal(typeof f["written"], "boolean");
      for (const k of ["kms", "age"]) assert.ok(Array.isArray(f[k]) && (f[k] as unknown[]).every((x) => typeof x === "string"), k);
    } else {
      const e = f["error"] as Record<string, unknown>;
      assert.deepEqual(Object.keys(e).sort(), ["code", "exit", "hint", "message"]);
      assert.equal(typeof e["code"], "string");
      assert.equal(typeof e["exit"], "number");
      assert.equal(typeof e["message"], "string");
      assert.ok(e["hint"] === null || typeof e["hint"] === "string");
    }
  }
  return r as { ok: boolean; dryRun?: boolean; files: Record<string, unknown>[] };
}

describe("--json on encrypt, decrypt, rotate and updatekeys", () => {
  beforeEach(() => {
    reset();
  });

  it("encrypt: one entry per file in command-line order, with the keys each file is sealed to", async () => {
    const dir = testdir({ "b.yaml": "token: b\n", "a.env": "TOKEN=a\n" });
    const r = await cli(["encrypt", "--json", "--age", TEST_AGE_RECIPIENT, "b.yaml", "a.env"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const got = report(r.stdout, "encrypt");
    assert.equal(got.ok, true);
    assert.deepEqual(got.files, [
      { file: "b.yaml", ok: true, output: "b.enc.yaml", written: true, merged: false, kms: [], age: [TEST_AGE_RECIPIENT] },
      { file: "a.env", ok: true, output: "a.env.enc", written: true, merged: false, kms: [], age: [TEST_AGE_RECIPIENT] },
    ]);
    assert.ok(existsSync(join(dir, "a.env.enc")));
    // Unchanged plaintext: the encrypted file is left as it is, and the report says so.
    const again = report((await cli(["encrypt", "--json", "--age", TEST_AGE_RECIPIENT, "b.yaml"], { env, cwd: dir })).stdout, "encrypt");
    assert.equal(again.files[0]!["written"], false);
  });

  it("encrypt: a failing file is reported with its error and exit code, the others still run", async () => {
    const dir = testdir({ "ok.yaml": "token: t\n", "bad.yaml": "a: [1\n" });
    const r = await cli(["encrypt", "--json", "--kms", FAKE_ARN, "ok.yaml", "bad.yaml", "missing.yaml"], { env, cwd: dir });
    assert.equal(r.code, 2);
    const got = report(r.stdout, "encrypt");
    assert.equal(got.ok, false);
    assert.deepEqual(
      got.files.map((f) => [f["file"], f["ok"]]),
      [
        ["ok.yaml", true],
        ["bad.yaml", false],
        ["missing.yaml", false],
      ],
    );
    assert.deepEqual(got.files[0]!["kms"], [FAKE_ARN]);
    const bad = got.files[1]!["error"] as Record<string, unknown>;
    assert.equal(bad["code"], "usage");
    assert.equal(bad["exit"], 2);
    assert.match(bad["message"] as string, /bad\.yaml/);
    // The same failures reach stderr as without --json.
    assert.match(r.stderr, /bad\.yaml/);
    assert.match(r.stderr, /missing\.yaml/);
  });

  it("decrypt: output path, written, the encrypted file's keys; --stdout and stdin without -o are refused", async () => {
    const dir = testdir({ "app.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "--kms", FAKE_ARN, "--age", TEST_AGE_RECIPIENT, "app.yaml"], { env, cwd: dir })).code, 0);
    const r = await cli(["decrypt", "--json", "--force", "app.enc.yaml"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(report(r.stdout, "decrypt").files, [
      { file: "app.enc.yaml", ok: true, output: "app.yaml", written: false, kms: [FAKE_ARN], age: [TEST_AGE_RECIPIENT] },
    ]);
    assert.doesNotMatch(r.stdout, /t0p/);
    for (const args of [
      ["decrypt", "--json", "--stdout", "app.enc.yaml"],
      ["decrypt", "--json", "-o", "-", "app.enc.yaml"],
      ["decrypt", "--json", "--extract", '["token"]', "app.enc.yaml"],
    ]) {
      const refused = await cli(args, { env, cwd: dir });
      assert.equal(refused.code, 2, args.join(" "));
      assert.equal(refused.stdout, "");
      assert.match(refused.stderr, /--json/);
    }
  });

  it("decrypt: a tampered file is an integrity failure (exit 3) in the report, and no plaintext is written", async () => {
    const dir = testdir({ "app.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, "app.yaml"], { env, cwd: dir })).code, 0);
    const file = join(dir, "app.enc.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/mac: ENC\[AES256_GCM,data:./, (m) => m.slice(0, -1) + (m.endsWith("A") ? "B" : "A")),
    );
    const r = await cli(["decrypt", "--json", "-o", "out.yaml", "app.enc.yaml"], { env, cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const e = report(r.stdout, "decrypt").files[0]!["error"] as Record<string, unknown>;
    assert.equal(e["code"], "integrity");
    assert.equal(e["exit"], 3);
    assert.ok(!existsSync(join(dir, "out.yaml")));
  });

  it("rotate: the file and the keys it holds afterwards", async () => {
    const dir = testdir({ "app.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, "app.yaml"], { env, cwd: dir })).code, 0);
    const before = readFileSync(join(dir, "app.enc.yaml"), "utf8");
    const r = await cli(["rotate", "--json", "app.enc.yaml"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(report(r.stdout, "rotate").files, [
      { file: "app.enc.yaml", ok: true, output: "app.enc.yaml", written: true, kms: [], age: [TEST_AGE_RECIPIENT] },
    ]);
    assert.notEqual(readFileSync(join(dir, "app.enc.yaml"), "utf8"), before);
  });

  it("updatekeys: added and removed, dryRun at the top, the keys the file holds", async () => {
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "**"\n    kms: [${SECOND}]\n`, "app.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "--kms", FAKE_ARN, "app.yaml"], { env, cwd: dir })).code, 0);
    const dry = await cli(["updatekeys", "--json", "--dry-run", "app.enc.yaml"], { env, cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    const d = report(dry.stdout, "updatekeys");
    assert.equal(d.dryRun, true);
    assert.deepEqual(d.files, [
      { file: "app.enc.yaml", ok: true, output: "app.enc.yaml", written: false, added: [SECOND], removed: [FAKE_ARN], kms: [FAKE_ARN], age: [] },
    ]);
    const real = report((await cli(["updatekeys", "--json", "app.enc.yaml"], { env, cwd: dir })).stdout, "updatekeys");
    assert.equal(real.dryRun, false);
    assert.deepEqual(real.files, [
      { file: "app.enc.yaml", ok: true, output: "app.enc.yaml", written: true, added: [SECOND], removed: [FAKE_ARN], kms: [SECOND], age: [] },
    ]);
  });

  it("the bin: stdin with -o reports; stdin without -o is refused before anything is read", () => {
    const dir = testdir({});
    const bin = join(process.cwd(), "dist/cli/bin.js");
    const run = (args: string[]) => {
      try {
        return {
          code: 0,
          stdout: execFileSync(process.execPath, [bin, ...args], {
            cwd: dir,
            input: "token: t0p\n",
            env: { PATH: process.env["PATH"], HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY },
            encoding: "utf8",
            stdio: "pipe",
          }),
        };
      } catch (err) {
        const e = err as { status: number; stdout: string };
        return { code: e.status, stdout: e.stdout };
      }
    };
    const ok = run(["encrypt", "--json", "-", "--format", "yaml", "--age", TEST_AGE_RECIPIENT, "-o", "s.enc.yaml"]);
    assert.equal(ok.code, 0);
    assert.deepEqual(report(ok.stdout, "encrypt").files, [
      { file: "-", ok: true, output: "s.enc.yaml", written: true, merged: false, kms: [], age: [TEST_AGE_RECIPIENT] },
    ]);
    const refused = run(["encrypt", "--json", "-", "--format", "yaml", "--age", TEST_AGE_RECIPIENT]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, "");
  });
});
