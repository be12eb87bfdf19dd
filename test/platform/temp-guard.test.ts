import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { guardTemp } from "../../src/platform/temp-guard.js";
import { testdir } from "../helpers/testdir.js";

const GUARD = pathToFileURL(join(process.cwd(), "build", "src", "platform", "temp-guard.js")).href;

async function gone(path: string, withinMs = 3_000): Promise<boolean> {
  for (const end = Date.now() + withinMs; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (!existsSync(path)) return true;
  return !existsSync(path);
}

describe("guardTemp", () => {
  it("removes the file when the process that made it is killed with SIGKILL", async () => {
    const file = join(testdir(), "plain.tmp");
    const script = `import(${JSON.stringify(GUARD)}).then(({ guardTemp }) => { require("node:fs").writeFileSync(${JSON.stringify(file)}, "secret"); guardTemp(${JSON.stringify(file)}); process.kill(process.pid, "SIGKILL"); })`;
    const r = spawnSync(process.execPath, ["-e", script]);
    assert.equal(r.signal, "SIGKILL");
    assert.ok(await gone(file), "the watcher removed the file");
  });

  it("leaves a file alone that was renamed into place before release", async () => {
    const dir = testdir();
    const temp = join(dir, "t.tmp");
    writeFileSync(temp, "x");
    const guard = guardTemp(temp);
    writeFileSync(join(dir, "final"), "x");
    guard.release();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(dir, "final")));
  });
});
