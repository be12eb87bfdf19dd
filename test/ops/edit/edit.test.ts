import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../../../src/core/errors.js";
import { editFile, type EditOptions } from "../../../src/ops/edit/edit.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { cli } from "../../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { testdir } from "../../helpers/testdir.js";

/** A project with one encrypted file, a private runtime folder and an editor script. */
async function project(name: string, plain: string, editor: string) {
  const dir = testdir({ ".kmsrc": "rules: []\n", [name]: plain });
  const runtime = join(dir, "runtime");
  mkdirSync(runtime, { mode: 0o700 });
  const script = join(dir, "editor.sh");
  writeFileSync(script, `#!/bin/sh\n${editor}\n`);
  chmodSync(script, 0o755);
  assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, name)])).code, 0);
  const notices: string[] = [];
  const services = keyServices({
    env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent", PATH: process.env["PATH"], EDITOR: script, XDG_RUNTIME_DIR: runtime, ED_DIR: dir },
    notice: (m) => notices.push(m),
  });
  const opts: EditOptions = { retry: true, interactive: false };
  return { dir, runtime, services, notices, opts };
}

const decrypted = async (file: string) => (await cli(["decrypt", "--stdout", file])).stdout;
const COUNT = 'n=$(cat "$ED_DIR/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$ED_DIR/count"';

describe("edit", () => {
  it("re-opens invalid YAML with the error on top, and strips those lines from the result", async () => {
    const p = await project(
      "app.yaml",
      "db:\n  password: s3cr3t\n",
      `${COUNT}\nif [ $n = 1 ]; then echo "bad: [unclosed" >> "$1"; else cp "$1" "$ED_DIR/round2"; sed -i -e '/^bad:/d' -e 's/s3cr3t/fixed/' "$1"; fi`,
    );
    const file = join(p.dir, "app.enc.yaml");
    const r = await editFile(file, p.opts, p.services);
    assert.deepEqual(r, { path: file, written: true, created: false });
    assert.match(readFileSync(join(p.dir, "round2"), "utf8"), /^# kmseal: not valid yaml \(line \d+, column \d+\): .*\n# kmseal: fix it and save/);
    assert.equal(await decrypted(file), "db:\n  password: fixed\n");
    assert.deepEqual(readdirSync(p.runtime), [], "the workspace is gone");
  });

  it("aborts, leaving the file as it was, when invalid content is saved again unchanged", async () => {
    const p = await project("app.yaml", "a: 1\n", `${COUNT}\nif [ $n = 1 ]; then echo "b: [" >> "$1"; fi`);
    const file = join(p.dir, "app.enc.yaml");
    const before = readFileSync(file);
    await assert.rejects(editFile(file, p.opts, p.services), (err: unknown) => err instanceof FormatError && /nothing was changed/.test(err.message));
    assert.ok(readFileSync(file).equals(before));
    assert.deepEqual(readdirSync(p.runtime), []);
  });

  it("aborts at the first invalid save when retrying is off", async () => {
    const p = await project(".env", "A=1\n", `echo "not a line" >> "$1"`);
    const file = join(p.dir, ".env.enc");
    const before = readFileSync(file);
    await assert.rejects(editFile(file, { ...p.opts, retry: false }, p.services), FormatError);
    assert.ok(readFileSync(file).equals(before));
  });

  it("reports a JSON error aside (JSON has no comments) and re-opens the file as saved", async () => {
    const p = await project(
      "app.json",
      '{"a": 1}\n',
      `${COUNT}\nif [ $n = 1 ]; then echo "{" > "$1"; else cp "$1" "$ED_DIR/round2"; echo '{"a": 2}' > "$1"; fi`,
    );
    const file = join(p.dir, "app.enc.json");
    assert.equal((await editFile(file, p.opts, p.services)).written, true);
    assert.equal(readFileSync(join(p.dir, "round2"), "utf8"), "{\n");
    assert.equal(p.notices.length, 1);
    assert.match(p.notices[0]!, /not valid JSON/);
    assert.equal(await decrypted(file), '{"a": 2}\n');
  });

  it("puts the decrypted copy, named like the original, in a 0700 folder under XDG_RUNTIME_DIR with mode 0600", async () => {
    const p = await project("app.yaml", "a: 1\n", `stat -c '%a %n' "$(dirname "$1")" "$1" > "$ED_DIR/seen"`);
    assert.equal((await editFile(join(p.dir, "app.enc.yaml"), p.opts, p.services)).written, false);
    const [folder, file] = readFileSync(join(p.dir, "seen"), "utf8").trim().split("\n");
    assert.match(folder!, new RegExp(`^700 ${p.runtime}/kmseal-edit-\\w+$`));
    assert.match(file!, /^600 .*\/app\.yaml$/);
    assert.deepEqual(readdirSync(p.runtime), []);
  });
});
