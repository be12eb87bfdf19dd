import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gitStates, ignoreLine, plaintextCopyWarning, unignoredCopies } from "../../../src/ops/plaintext/copy.js";
import { git, gitTry, removeDir, tempDir, tempRepo, writeFiles } from "../../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});

describe("plaintext copies git would commit", () => {
  it("finds untracked and tracked files git does not ignore, with the line that ignores each", async () => {
    const dir = tempRepo({
      ".gitignore": "/config/ignored.yaml\n",
      "config/ignored.yaml": "a: 1\n",
      "config/loose.yaml": "a: 1\n",
      "config/tracked.yaml": "a: 1\n",
    });
    dirs.push(dir);
    git(dir, "add", "config/tracked.yaml");
    const files = ["config/ignored.yaml", "config/loose.yaml", "config/tracked.yaml"].map((f) => join(dir, f));
    const copies = await unignoredCopies(files);
    assert.deepEqual(
      copies.map((c) => [c.file, c.line, c.tracked, c.gitignore]),
      [
        [files[1], "/config/loose.yaml", false, join(dir, ".gitignore")],
        [files[2], "/config/tracked.yaml", true, join(dir, ".gitignore")],
      ],
    );
    assert.equal((await gitStates(files)).get(files[0]!), "ignored");
  });

  it("names a line that, once added, makes git ignore exactly that file", async () => {
    const name = "odd dir/[x]*#!.yaml ";
    const dir = tempRepo({ [name]: "a: 1\n", "odd dir/other.yaml": "b: 2\n" });
    dirs.push(dir);
    const [copy] = await unignoredCopies([join(dir, name)]);
    writeFiles(dir, { ".gitignore": copy!.line + "\n" });
    assert.deepEqual(await unignoredCopies([join(dir, name), join(dir, "odd dir/other.yaml")]).then((c) => c.map((x) => x.file)), [
      join(dir, "odd dir/other.yaml"),
    ]);
    assert.equal(gitTry(dir, ["check-ignore", "-q", "--", name]).status, 0);
    assert.equal(ignoreLine("a/b.yaml"), "/a/b.yaml");
  });

  it("warns with the exact line, and says nothing outside git or for ignored files", async () => {
    const dir = tempRepo({ ".gitignore": "/kept.yaml\n", "app.yaml": "a: 1\n", "kept.yaml": "a: 1\n" });
    dirs.push(dir);
    assert.equal(
      await plaintextCopyWarning("app.yaml", dir),
      "warning: app.yaml is plaintext and git does not ignore it; add the line /app.yaml to .gitignore (kmseal init --update adds the lines for every .kmsrc rule)",
    );
    assert.equal(await plaintextCopyWarning(join(dir, "kept.yaml"), dir), null);
    const outside = tempDir();
    dirs.push(outside);
    writeFiles(outside, { "app.yaml": "a: 1\n" });
    assert.equal(await plaintextCopyWarning("app.yaml", outside), null);
  });

  it("asks git for the work tree once per repository, not once per file", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`config/team${i % 10}/app${i}.yaml`] = "a: 1\n";
    const dir = tempRepo(files);
    dirs.push(dir);
    const nested = join(dir, "vendor", "inner");
    writeFiles(nested, { "x.yaml": "a: 1\n" });
    git(nested, "init", "-q");
    const bin = tempDir();
    dirs.push(bin);
    const log = join(bin, "calls");
    const real = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "git"), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, "git"), 0o755);
    writeFileSync(log, "");
    const path = process.env["PATH"];
    process.env["PATH"] = `${bin}:${path}`;
    let states;
    try {
      states = await gitStates([...Object.keys(files).map((f) => join(dir, f)), join(nested, "x.yaml")]);
    } finally {
      process.env["PATH"] = path;
    }
    assert.equal(states.size, 31);
    const topCalls = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("rev-parse --show-toplevel"));
    assert.equal(topCalls.length, 2);
  });
});
