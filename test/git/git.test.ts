import assert from "node:assert/strict";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { committablePaths, hookFile, ignoredPaths, readBlobs, readStaged, stagedEntries, stagedPaths, workTreeTop } from "../../src/git/git.js";
import { git, removeDir, tempDir, tempRepo } from "./temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const repo = (files: Record<string, string> = {}) => {
  const dir = tempRepo(files);
  dirs.push(dir);
  return dir;
};

describe("git", () => {
  it("finds the top of the work tree from a subfolder, and null outside one", async () => {
    const dir = repo({ "a/b/c.txt": "x" });
    assert.equal(await workTreeTop(join(dir, "a", "b")), dir);
    const outside = tempDir();
    dirs.push(outside);
    assert.equal(await workTreeTop(outside), null);
  });

  it("lists added, modified and renamed staged files but not deleted ones", async () => {
    const dir = repo({ "keep.txt": "1", "gone.txt": "2", "old name.txt": "3" });
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "init");
    writeFileSync(join(dir, "keep.txt"), "changed");
    writeFileSync(join(dir, "new ü.txt"), "new");
    git(dir, "add", "keep.txt", "new ü.txt");
    git(dir, "rm", "-q", "gone.txt");
    git(dir, "mv", "old name.txt", "renamed.txt");
    assert.deepEqual((await stagedPaths(dir)).sort(), ["keep.txt", "new ü.txt", "renamed.txt"]);
  });

  it("lists type changes and unusual names as bytes, with each entry's mode and object id", async () => {
    const dir = repo({ "link.env": "" });
    rmSync(join(dir, "link.env"));
    symlinkSync("elsewhere", join(dir, "link.env"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "init");
    rmSync(join(dir, "link.env"));
    writeFileSync(join(dir, "link.env"), "now a file\n");
    writeFileSync(join(dir, "0:a.env"), "a\n");
    writeFileSync(Buffer.concat([Buffer.from(dir + "/n"), Buffer.of(0xff), Buffer.from("\n-x")]), "b\n");
    git(dir, "add", "-A");
    const entries = await stagedEntries(dir);
    assert.deepEqual(entries.map((e) => [e.path, e.status, e.mode]).sort(), [
      ["0:a.env", "A", "100644"],
      ["link.env", "T", "100644"],
      ["n\udcff\n-x", "A", "100644"],
    ]);
    assert.deepEqual(entries.find((e) => e.status === "A" && e.path !== "0:a.env")?.raw, Buffer.from([0x6e, 0xff, 0x0a, 0x2d, 0x78]));
    const blobs = await readBlobs(dir, [...entries.map((e) => e.oid), "1234567890".repeat(4)]);
    assert.deepEqual(entries.map((e) => blobs.get(e.oid)?.toString()).sort(), ["a\n", "b\n", "now a file\n"]);
    assert.equal(blobs.size, 3, "an object the database lacks is absent");
    assert.deepEqual([...(await readStaged(dir, ["0:a.env"])).values()].map(String), ["a\n"]);
  });

  it("reads the staged blob, not the working tree", async () => {
    const dir = repo({ "a.txt": "staged\n", "b.bin": "" });
    writeFileSync(join(dir, "b.bin"), Buffer.from([0, 10, 255, 10, 10]));
    git(dir, "add", "a.txt", "b.bin");
    writeFileSync(join(dir, "a.txt"), "working tree\n");
    const blobs = await readStaged(dir, ["a.txt", "b.bin", "not-staged.txt"]);
    assert.equal(blobs.get("a.txt")?.toString(), "staged\n");
    assert.deepEqual([...blobs.get("b.bin")!], [0, 10, 255, 10, 10]);
    assert.equal(blobs.has("not-staged.txt"), false);
  });

  it("reads many staged blobs in one batch, including empty ones", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d/f${i}.txt`] = i % 7 === 0 ? "" : `content ${i}\n`.repeat(i);
    const dir = repo(files);
    git(dir, "add", "-A");
    const blobs = await readStaged(dir, Object.keys(files));
    for (const [path, text] of Object.entries(files)) assert.equal(blobs.get(path)?.toString(), text, path);
  });

  it("says which paths are ignored, and lists what a commit could contain", async () => {
    const dir = repo({ ".gitignore": "*.secret\n", "a.secret": "x", "b.txt": "y", "tracked.secret": "z" });
    git(dir, "add", "-f", "tracked.secret");
    assert.deepEqual([...(await ignoredPaths(dir, ["a.secret", "b.txt", "tracked.secret"]))], ["a.secret"]);
    assert.deepEqual((await committablePaths(dir)).sort(), [".gitignore", "b.txt", "tracked.secret"]);
    assert.equal((await ignoredPaths(dir, ["b.txt"])).size, 0);
  });

  it("locates the pre-commit hook under core.hooksPath when it is set", async () => {
    const dir = repo({ "sub/x": "" });
    assert.equal(await hookFile(dir, "pre-commit"), join(dir, ".git", "hooks", "pre-commit"));
    git(dir, "config", "core.hooksPath", ".githooks");
    assert.equal(await hookFile(join(dir, "sub"), "pre-commit"), join(dir, ".githooks", "pre-commit"));
  });
});
