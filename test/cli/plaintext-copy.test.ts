import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { removeDir, tempRepo } from "../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});

describe("a plaintext copy git does not ignore", () => {
  it("decrypt warns with the line to add, check and status report it, init --update fixes it", async () => {
    const dir = tempRepo();
    dirs.push(dir);
    assert.equal((await cli(["init", "--age", TEST_AGE_RECIPIENT], { cwd: dir })).code, 0);
    // A rule added after init: .gitignore does not know it yet.
    writeFileSync(join(dir, ".kmsrc"), readFileSync(join(dir, ".kmsrc"), "utf8") + `  - path: "deploy/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`);
    writeFileSync(join(dir, "app.yaml"), "api_token: s3cret\n");
    mkdirSync(join(dir, "deploy"));
    writeFileSync(join(dir, "deploy/app.yaml"), "api_token: s3cret\n");
    assert.equal((await cli(["encrypt", "deploy/app.yaml"], { cwd: dir })).code, 0);
    rmSync(join(dir, "deploy/app.yaml"));

    const dec = await cli(["decrypt", "deploy/app.enc.yaml"], { cwd: dir });
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(dec.stdout, "deploy/app.yaml\n");
    assert.equal(
      dec.stderr,
      "kmseal: warning: deploy/app.yaml is plaintext and git does not ignore it; add the line /deploy/app.yaml to .gitignore (kmseal init --update adds the lines for every .kmsrc rule)\n",
    );

    const check = await cli(["check"], { cwd: dir });
    assert.equal(check.code, 6);
    assert.match(check.stderr, /^kmseal: deploy\/app\.yaml: plaintext file \(covered by \.kmsrc rule "deploy\/\*\*"\) could be committed/m);
    const status = await cli(["status", "--json", "deploy/app.yaml"], { cwd: dir });
    assert.deepEqual((JSON.parse(status.stdout) as Array<{ problems: string[] }>)[0]?.problems, [
      "plaintext and git does not ignore it: add the line /deploy/app.yaml to .gitignore (kmseal init --update adds the lines for every .kmsrc rule)",
    ]);

    const update = await cli(["init", "--update"], { cwd: dir });
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stderr, /updated the kmseal lines in .*\.gitignore/);
    rmSync(join(dir, "deploy/app.yaml"));
    const quiet = await cli(["decrypt", "deploy/app.enc.yaml"], { cwd: dir });
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, "deploy/app.yaml\n", ""]);
    const again = await cli(["check"], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(dec.stderr + check.stderr + status.stdout, /s3cret/);
  });

  it("says nothing for a plaintext copy git ignores, or one written with --stdout", async () => {
    const dir = tempRepo();
    dirs.push(dir);
    assert.equal((await cli(["init", "--age", TEST_AGE_RECIPIENT], { cwd: dir })).code, 0);
    writeFileSync(join(dir, ".env.prod"), "API_TOKEN=s3cret\n");
    assert.equal((await cli(["encrypt", ".env.prod"], { cwd: dir })).code, 0);
    rmSync(join(dir, ".env.prod"));
    const dec = await cli(["decrypt", ".env.prod.enc"], { cwd: dir });
    assert.deepEqual([dec.code, dec.stderr], [0, ""]);
    const out = await cli(["decrypt", "--stdout", ".env.prod.enc"], { cwd: dir });
    assert.deepEqual([out.code, out.stderr], [0, ""]);
  });
});
