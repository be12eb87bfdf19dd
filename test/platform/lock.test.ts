import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { KmsealError } from "../../src/core/errors.js";
import { lockPathOf, withFileLock } from "../../src/platform/lock.js";
import { testdir } from "../helpers/testdir.js";

const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, nonce: "someone-else", since: new Date().toISOString() }) + "\n";
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid;
const backdate = (path: string, ms: number) => {
  utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));
};

describe("withFileLock", () => {
  it("puts the lock file next to the target and removes it afterwards, also when the work fails", async () => {
    const dir = testdir();
    const target = join(dir, "app.enc.yaml");
    assert.equal(lockPathOf(target), join(dir, ".app.enc.yaml.kmseal-lock"));
    await withFileLock(target, () => {
      assert.equal((JSON.parse(readFileSync(lockPathOf(target), "utf8")) as { pid: number }).pid, process.pid);
      return Promise.resolve();
    });
    assert.equal(existsSync(lockPathOf(target)), false);
    await assert.rejects(
      withFileLock(target, () => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(existsSync(lockPathOf(target)), false);
  });

  it("runs callers in one process one after the other", async () => {
    const target = join(testdir(), "a.enc.yaml");
    const order: string[] = [];
    const job = (name: string) =>
      withFileLock(target, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 20));
        order.push(`${name}-`);
      });
    await Promise.all([job("a"), job("b"), job("c")]);
    assert.deepEqual(order, ["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("takes over a lock whose holder on this host is dead", async () => {
    const target = join(testdir(), "a.enc.yaml");
    writeFileSync(lockPathOf(target), holder(deadPid()));
    let ran = false;
    await withFileLock(target, () => Promise.resolve((ran = true)), { timeoutMs: 2_000 });
    assert.ok(ran);
  });

  it("after taking over a dead holder's lock, removes that holder's temp files, not other processes'", async () => {
    const dir = testdir();
    const target = join(dir, "a.enc.yaml");
    const dead = deadPid();
    writeFileSync(lockPathOf(target), holder(dead));
    const litter = [`.a.enc.yaml.kmseal-${dead}-0a1b2c3d.tmp`, `.a.enc.yaml.kmseal-lock.${dead}-deadbeef`];
    const live = `.a.enc.yaml.kmseal-${process.pid}-0a1b2c3d.tmp`;
    for (const f of [...litter, live, "a.enc.yaml"]) writeFileSync(join(dir, f), "x");
    await withFileLock(target, () => Promise.resolve(undefined), { timeoutMs: 2_000 });
    assert.deepEqual(readdirSync(dir).sort(), [live, "a.enc.yaml"].sort());
  });

  it("waits for a live holder, then fails with a message naming it and the lock file", async () => {
    const target = join(testdir(), "a.enc.yaml");
    writeFileSync(lockPathOf(target), holder(process.ppid));
    const started = Date.now();
    await assert.rejects(
      withFileLock(target, () => Promise.reject(new Error("must not run")), { timeoutMs: 300 }),
      (err: unknown) => {
        assert.ok(err instanceof KmsealError && err.code === "usage");
        assert.match(err.message, new RegExp(`locked by kmseal process ${process.ppid} on `));
        assert.match(err.hint ?? "", /kmseal-lock/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 3_000, "the wait is bounded");
    assert.ok(existsSync(lockPathOf(target)), "a live holder's lock is left alone");
  });

  it("takes over a lock from another host only when it is old", async () => {
    const target = join(testdir(), "a.enc.yaml");
    writeFileSync(lockPathOf(target), holder(1, "elsewhere"));
    await assert.rejects(
      withFileLock(target, () => Promise.resolve(undefined), { timeoutMs: 100 }),
      /locked by kmseal process 1 on elsewhere/,
    );
    backdate(lockPathOf(target), 2 * 60 * 60_000);
    let ran = false;
    await withFileLock(target, () => Promise.resolve((ran = true)), { timeoutMs: 1_000 });
    assert.ok(ran);
  });

  it("takes over an empty lock file left by a process that died while creating it, but not a fresh one", async () => {
    const target = join(testdir(), "a.enc.yaml");
    writeFileSync(lockPathOf(target), "");
    await assert.rejects(
      withFileLock(target, () => Promise.resolve(undefined), { timeoutMs: 100 }),
      /locked by another kmseal process/,
    );
    backdate(lockPathOf(target), 60_000);
    let ran = false;
    await withFileLock(target, () => Promise.resolve((ran = true)), { timeoutMs: 1_000 });
    assert.ok(ran);
  });

  it("does not remove a lock that someone else holds by the time it releases", async () => {
    const target = join(testdir(), "a.enc.yaml");
    await withFileLock(target, () => {
      writeFileSync(lockPathOf(target), holder(process.ppid));
      return Promise.resolve();
    });
    assert.ok(existsSync(lockPathOf(target)));
  });

  it("runs without a lock where no lock file can be made (a missing folder): the write reports that", async () => {
    let ran = false;
    await withFileLock(join(testdir(), "missing", "a.enc.yaml"), () => Promise.resolve((ran = true)));
    assert.ok(ran);
  });
});
