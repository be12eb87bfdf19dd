import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { testdir } from "../../helpers/testdir.js";
import { status } from "../../../src/ops/inspect/status.js";

function project() {
  const dir = testdir({ ".kmsrc": `rules:\n  - path: "secrets/**"\n    age: [${TEST_AGE_RECIPIENT}]\n` });
  mkdirSync(join(dir, "secrets"));
  mkdirSync(join(dir, "runtime"), { mode: 0o700 });
  const script = join(dir, "editor.sh");
  writeFileSync(script, `#!/bin/sh\ntouch "$ED_DIR/launched"\nprintf 'token: abc\\n' > "$1"\n`);
  chmodSync(script, 0o755);
  return { dir, env: { EDITOR: script, XDG_RUNTIME_DIR: join(dir, "runtime"), PATH: process.env["PATH"], ED_DIR: dir } };
}

describe("edit of a file that does not exist", () => {
  it("refuses a plaintext name before the editor opens, naming the encrypted name", async () => {
    const { dir, env } = project();
    const r = await cli(["edit", "secrets/new.yaml"], { env, cwd: dir });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kmseal: secrets\/new\.yaml: does not exist, and kmseal edit creates new files under their encrypted name only \(secrets\/new\.enc\.yaml\)\n {2}hint: to create it, name it so: kmseal edit secrets\/new\.enc\.yaml\n$/,
    );
    assert.equal(existsSync(join(dir, "launched")), false);
    assert.equal(existsSync(join(dir, "secrets/new.yaml")), false);
  });

  it("points at the encrypted file when that is what exists", async () => {
    const { dir, env } = project();
    assert.equal((await cli(["edit", "secrets/app.enc.yaml"], { env, cwd: dir })).code, 0);
    const r = await cli(["edit", "secrets/app.yaml"], { env, cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /hint: it is encrypted as secrets\/app\.enc\.yaml: kmseal edit secrets\/app\.enc\.yaml/);
  });

  it("creates an encrypted name encrypted, and status labels the pair by name", async () => {
    const { dir, env } = project();
    const r = await cli(["edit", "secrets/new.enc.yaml"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(dir, "secrets/new.enc.yaml"), "utf8"), /^token: ENC\[AES256_GCM,/m);
    assert.equal((await cli(["decrypt", "secrets/new.enc.yaml"], { cwd: dir })).code, 0);
    const [enc, plain] = await status({ cwd: dir, files: ["secrets/new.enc.yaml", "secrets/new.yaml"] });
    assert.deepEqual([enc!.encrypted, enc!.counterpartName, plain!.encrypted, plain!.counterpartName], [true, "plaintext", false, "encrypted"]);
    const text = await cli(["status", "secrets/new.enc.yaml", "secrets/new.yaml"], { cwd: dir });
    assert.match(text.stdout, /^secrets\/new\.enc\.yaml: encrypted, rule "secrets\/\*\*", last sealed \S+, plaintext copy secrets\/new\.yaml$/m);
    assert.match(text.stdout, /^secrets\/new\.yaml: plaintext, rule "secrets\/\*\*", encrypted copy secrets\/new\.enc\.yaml$/m);
  });
});
