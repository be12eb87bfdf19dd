import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { SessionCache, defaultCacheDir } from "../../src/credentials/session-cache.js";
import type { CachedSession } from "../../src/credentials/session-cache.js";
import { KmsealError } from "../../src/core/errors.js";
import { testdir } from "../helpers/testdir.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const key = { kind: "session", profile: "dev", mfaSerial: "arn:aws:iam::1:mfa/a" } as const;
const entry = (expiresAt: number, over: Partial<CachedSession> = {}): CachedSession => ({
  ...key,
  accessKeyId: "ASIA1",
  secretAccessKey: "s",
  sessionToken: "t",
  expiration: new Date(expiresAt).toISOString(),
  createdAt: new Date(T0).toISOString(),
  ...over,
});

describe("SessionCache", () => {
  it("lives under $XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/h" }), "/x/cache/kmseal/sessions");
    assert.equal(defaultCacheDir({ HOME: "/h" }), "/h/.cache/kmseal/sessions");
  });

  it("keeps one file per profile, serial and role, and reuses it only with more than the margin left", async () => {
    const cache = new SessionCache({ dir: join(testdir(), "s"), now: () => T0, minRemainingMs: 60_000 });
    await cache.write(entry(T0 + 120_000));
    await cache.write(entry(T0 + 10_000, { kind: "role", roleArn: "arn:aws:iam::1:role/r" }));
    assert.equal(cache.fresh(key)?.accessKeyId, "ASIA1");
    assert.equal(cache.fresh({ ...key, kind: "role", roleArn: "arn:aws:iam::1:role/r" }), undefined);
    assert.equal(cache.read({ ...key, mfaSerial: "arn:aws:iam::1:mfa/other" }), undefined);
    assert.equal(cache.list().length, 2);
  });

  it("tightens a cache folder that others can read", async () => {
    const dir = join(testdir(), "s");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await new SessionCache({ dir }).write(entry(T0));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it("clears one profile or all of them, corrupt files included", async () => {
    const dir = join(testdir(), "s");
    const cache = new SessionCache({ dir, log: { warn: () => {} } });
    await cache.write(entry(T0));
    await cache.write(entry(T0, { profile: "prod" }));
    writeFileSync(join(dir, "junk.json"), "nope", { mode: 0o600 });
    assert.deepEqual(
      cache.clear("dev").map((s) => s.profile),
      ["dev"],
    );
    assert.deepEqual(
      cache.list().map((s) => s.profile),
      ["prod"],
    );
    cache.clear();
    assert.equal(cache.list().length, 0);
    assert.equal(existsSync(join(dir, "junk.json")), false);
  });
});

/** A lock file as platform/lock.ts writes it, held by `pid` on this host. */
const holder = (pid: number) => JSON.stringify({ pid, host: hostname(), nonce: "0123456789abcdef", since: "2020-01-01T00:00:00Z" });

describe("SessionCache.withLock", () => {
  it("makes a second caller wait until the first is done", async () => {
    const cache = new SessionCache({ dir: join(testdir(), "s") });
    const order: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = cache.withLock(key, async () => {
      order.push("first in");
      const done = new Promise<void>((r) => (release = r));
      entered();
      await done;
      order.push("first out");
    });
    await inside;
    const second = cache.withLock(key, () => Promise.resolve(order.push("second in")));
    await new Promise((r) => setTimeout(r, 30));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ["first in", "first out", "second in"]);
  });

  it("takes over a lock left by a process that is gone", async () => {
    const cache = new SessionCache({ dir: join(testdir(), "s") });
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(cache.lockPathOf(key), holder(2 ** 22 + 12345));
    assert.equal(await cache.withLock(key, () => Promise.resolve("ran")), "ran");
    assert.equal(existsSync(cache.lockPathOf(key)), false);
  });

  it("gives up with an auth error when a live process holds the lock too long", async () => {
    const cache = new SessionCache({ dir: join(testdir(), "s"), lock: { timeoutMs: 50 } });
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(cache.lockPathOf(key), holder(process.ppid));
    await assert.rejects(
      cache.withLock(key, () => Promise.resolve("ran")),
      (e: KmsealError) => e.code === "auth" && /still refreshing/.test(e.message),
    );
  });
});
