/**
 * The plaintext a decrypt leaves behind is private even when decrypt had nothing to write, and the
 * sops habit `kmseal decrypt x.enc.yaml > x.yaml` puts the plaintext in x.yaml instead of failing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, lstatSync, openSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { childEnv } from "./child-env.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const PLAIN = "db:\n  password: hunter2\n";
const mode = (p: string) => statSync(p).mode & 0o777;

async function sealed(): Promise<string> {
  const dir = testdir({ "app.yaml": PLAIN });
  assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")])).code, 0);
  return dir;
}

describe("decrypt's target is always private", () => {
  for (const before of [0o644, 0o666]) {
    it(`an identical existing plaintext at ${before.toString(8)} is left at 0600 (and not rewritten)`, async () => {
      const dir = await sealed();
      const plain = join(dir, "app.yaml");
      chmodSync(plain, before);
      utimesSync(plain, 1_000_000, 1_000_000);
      for (const args of [
        ["decrypt", join(dir, "app.enc.yaml")],
        ["decrypt", "--force", join(dir, "app.enc.yaml")],
      ]) {
        const r = await cli(args);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(mode(plain), 0o600);
        assert.equal(readFileSync(plain, "utf8"), PLAIN);
        assert.equal(statSync(plain).mtimeMs, 1_000_000_000, "unchanged content is not rewritten");
        chmodSync(plain, before);
      }
    });
  }

  it("a symbolic link to an identical copy is replaced by a private file, the link's target untouched", async () => {
    const dir = await sealed();
    writeFileSync(join(dir, "elsewhere.yaml"), PLAIN, { mode: 0o644 });
    chmodSync(join(dir, "elsewhere.yaml"), 0o644);
    rmSync(join(dir, "app.yaml"));
    symlinkSync("elsewhere.yaml", join(dir, "app.yaml"));
    const r = await cli(["decrypt", join(dir, "app.enc.yaml")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lstatSync(join(dir, "app.yaml")).isSymbolicLink(), false);
    assert.equal(mode(join(dir, "app.yaml")), 0o600);
    assert.equal(readFileSync(join(dir, "app.yaml"), "utf8"), PLAIN);
    assert.equal(mode(join(dir, "elsewhere.yaml")), 0o644);
  });
});

describe("kmseal decrypt x.enc.yaml > x.yaml", () => {
  it("writes the plaintext to stdout, which is the target, and makes it 0600", async () => {
    const dir = await sealed();
    rmSync(join(dir, "app.yaml"));
    const fd = openSync(join(dir, "app.yaml"), "w", 0o644); // what the shell's `>` does
    chmodSync(join(dir, "app.yaml"), 0o644);
    try {
      const r = spawnSync(process.execPath, [BIN, "decrypt", "app.enc.yaml"], {
        cwd: dir,
        env: childEnv(),
        stdio: ["ignore", fd, "pipe"],
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(join(dir, "app.yaml"), "utf8"), PLAIN);
    assert.equal(mode(join(dir, "app.yaml")), 0o600);
  });

  it("stdout redirected to another file still gets the path line, and the target is written", async () => {
    const dir = await sealed();
    rmSync(join(dir, "app.yaml"));
    const fd = openSync(join(dir, "log.txt"), "w");
    try {
      const r = spawnSync(process.execPath, [BIN, "decrypt", "app.enc.yaml"], {
        cwd: dir,
        env: childEnv(),
        stdio: ["ignore", fd, "pipe"],
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(join(dir, "log.txt"), "utf8"), "app.yaml\n");
    assert.equal(readFileSync(join(dir, "app.yaml"), "utf8"), PLAIN);
  });
});
