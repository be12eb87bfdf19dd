import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KmsealError } from "../../src/core/errors.js";
import { readIfExists, writeAtomic, writeAtomicSync } from "../../src/platform/atomic-write.js";
import { testdir } from "../helpers/testdir.js";

describe("writeAtomic", () => {
  it("writes a new file with the given mode and leaves no temp file", async () => {
    const dir = testdir();
    await writeAtomic(join(dir, "a"), Buffer.from("new"), { mode: 0o600 });
    assert.equal(readFileSync(join(dir, "a"), "utf8"), "new");
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ["a"]);
  });

  it("keeps an existing file's mode unless told to force one", async () => {
    const dir = testdir({ a: "old" });
    chmodSync(join(dir, "a"), 0o640);
    await writeAtomic(join(dir, "a"), Buffer.from("new"));
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o640);
    await writeAtomic(join(dir, "a"), Buffer.from("newer"), { mode: 0o600, forceMode: true });
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o600);
  });

  it("replaces the file by rename: a reader holding the old file keeps the old content", async () => {
    const dir = testdir({ a: "old" });
    const before = statSync(join(dir, "a")).ino;
    await writeAtomic(join(dir, "a"), Buffer.from("new"), { sensitive: true });
    assert.notEqual(statSync(join(dir, "a")).ino, before, "a new inode, renamed over the old one");
    assert.deepEqual(readdirSync(dir), ["a"]);
  });

  it("reports a missing folder or a directory target as a usage error, leaving nothing behind", async () => {
    const dir = testdir();
    mkdirSync(join(dir, "d"));
    await assert.rejects(
      writeAtomic(join(dir, "missing", "a"), Buffer.from("x")),
      (e: unknown) => e instanceof KmsealError && e.code === "usage" && /folder does not exist/.test(e.message),
    );
    await assert.rejects(writeAtomic(join(dir, "d"), Buffer.from("x")), (e: unknown) => e instanceof KmsealError && /is a directory/.test(e.message));
    assert.deepEqual(readdirSync(dir), ["d"]);
    assert.deepEqual(readdirSync(join(dir, "d")), []);
  });
});

describe("readIfExists", () => {
  it("gives null for a missing file and a usage error for a directory", async () => {
    const dir = testdir();
    writeFileSync(join(dir, "f"), "x");
    assert.equal(await readIfExists(join(dir, "nope")), null);
    assert.equal((await readIfExists(join(dir, "f")))?.toString(), "x");
    await assert.rejects(readIfExists(dir), (e: unknown) => e instanceof KmsealError && e.code === "usage");
  });
});

describe("writeAtomicSync", () => {
  it("writes a new file 0600 by rename, as the session cache needs, and leaves no temp file", () => {
    const dir = testdir({ a: "old" });
    const before = statSync(join(dir, "a")).ino;
    writeAtomicSync(join(dir, "a"), Buffer.from("new"), { mode: 0o600, forceMode: true });
    writeAtomicSync(join(dir, "b"), Buffer.from("fresh"), { mode: 0o600 });
    assert.equal(readFileSync(join(dir, "a"), "utf8"), "new");
    assert.notEqual(statSync(join(dir, "a")).ino, before, "a new inode, renamed over the old one");
    for (const f of ["a", "b"]) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ["a", "b"]);
  });

  it("keeps an existing file's mode unless told to force one", () => {
    const dir = testdir({ a: "old" });
    chmodSync(join(dir, "a"), 0o640);
    writeAtomicSync(join(dir, "a"), Buffer.from("new"));
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o640);
  });

  it("reports a missing folder or a directory target as a usage error, leaving nothing behind", () => {
    const dir = testdir();
    mkdirSync(join(dir, "d"));
    assert.throws(
      () => {
        writeAtomicSync(join(dir, "missing", "a"), Buffer.from("x"));
      },
      (e: unknown) => e instanceof KmsealError && e.code === "usage" && /folder does not exist/.test(e.message),
    );
    assert.throws(
      () => {
        writeAtomicSync(join(dir, "d"), Buffer.from("x"));
      },
      (e: unknown) => e instanceof KmsealError && /is a directory/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), ["d"]);
  });
});
