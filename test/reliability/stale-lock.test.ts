/**
 * A stale lock that cannot be removed must not make a writer spin forever: the wait checks its
 * deadline on every pass and ends with the documented "locked by … delete <lock>" error. Running as
 * root defeats read-only folders, so the removal is blocked the way root cannot override: the
 * breakers' `.break` file is a non-empty directory, which unlink never removes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { lockPathOf } from "../../src/platform/lock.js";
import { childEnv } from "./child-env.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");

describe("an unremovable stale lock", () => {
  it("KMSEAL_LOCK_TIMEOUT_MS=2000: set exits 2 with the lock error after about 2 s", async () => {
    const dir = testdir({ ".env": "API_KEY=old\n" });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, ".env")])).code, 0);
    const target = join(dir, ".env.enc");
    const lock = lockPathOf(target);
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid; // exited: the holder is dead, the lock stale
    writeFileSync(lock, JSON.stringify({ pid: gone, host: hostname(), nonce: "0123456789abcdef", since: new Date().toISOString() }) + "\n");
    mkdirSync(join(`${lock}.break`, "in-the-way"), { recursive: true });

    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, [BIN, "--version"], { env: childEnv(), timeout: 20_000 });
    const startMs = Number(process.hrtime.bigint() - t0) / 1e6; // start-up on this (possibly busy) machine
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, "set", ".env.enc", "API_KEY"], {
      cwd: dir,
      input: "new",
      env: childEnv({ KMSEAL_LOCK_TIMEOUT_MS: "2000" }),
      encoding: "utf8",
      timeout: 20_000,
    });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal(r.signal, null, "still waiting after 20 s");
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`is locked by kmseal process ${gone} on `));
    assert.ok(r.stderr.includes(`delete ${lock}`), r.stderr);
    assert.ok(ms >= 1900 && ms < 2000 + startMs + 2000, `gave up after ${ms.toFixed(0)} ms (start-up ${startMs.toFixed(0)} ms)`);
  });
});
