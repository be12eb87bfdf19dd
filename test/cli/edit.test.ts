import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const PLAIN = "# settings\ndb:\n  user: admin\n  password: s3cr3t\n  port: 5432\n";

/** An encrypted app.enc.yaml, a private runtime folder (the temp root) and an editor script. */
async function setup(editor: string, files: Record<string, string> = {}) {
  const dir = testdir({ ".kmsrc": "rules: []\n", "app.yaml": PLAIN, ...files });
  const runtime = join(dir, "runtime");
  mkdirSync(runtime, { mode: 0o700 });
  const script = join(dir, "editor.sh");
  writeFileSync(script, `#!/bin/sh\n${editor}\n`);
  chmodSync(script, 0o755);
  assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")])).code, 0);
  const env = { EDITOR: script, XDG_RUNTIME_DIR: runtime, PATH: process.env["PATH"], ED_DIR: dir };
  return { dir, runtime, env, file: join(dir, "app.enc.yaml") };
}

function changedNames(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  assert.equal(b.length, a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [/^\s*([\w]+):/.exec(line)?.[1] ?? line]));
}

async function waitFor(path: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path) || readFileSync(path, "utf8") === "") {
    if (Date.now() > until) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("kmseal edit", () => {
  it("re-encrypts what the editor saved: only that value's line, lastmodified, mac and the manifest change", async () => {
    const s = await setup(`sed -i 's/s3cr3t/n3w-s3cr3t/' "$1"`);
    const before = readFileSync(s.file, "utf8");
    const r = await cli(["edit", s.file], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    const names = changedNames(before, readFileSync(s.file, "utf8"));
    assert.ok(names.includes("password") && names.includes("mac") && names.includes("kmseal_manifest"), names.join(", "));
    assert.deepEqual(
      names.filter((n) => !["password", "lastmodified", "mac", "kmseal_manifest"].includes(n)),
      [],
    );
    assert.equal((await cli(["get", s.file, "db.password"])).stdout, "n3w-s3cr3t\n");
    assert.deepEqual(readdirSync(s.runtime), [], "no temp folder is left");
  });

  it("leaves the file untouched when the editor saves no change", async () => {
    const s = await setup(`touch "$1"`);
    const before = readFileSync(s.file);
    const r = await cli(["edit", s.file], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no change/);
    assert.ok(readFileSync(s.file).equals(before));
  });

  for (const [what, editor] of [
    ["exits non-zero", `sed -i 's/s3cr3t/x/' "$1"; exit 3`],
    ["is killed", `sed -i 's/s3cr3t/x/' "$1"; kill -9 $$`],
    ["saves invalid content without a terminal", `echo "bad: [" >> "$1"`],
  ]) {
    it(`leaves the original untouched and no temp file when the editor ${what}`, async () => {
      const s = await setup(editor!);
      const before = readFileSync(s.file);
      const r = await cli(["edit", s.file], { env: s.env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /nothing was changed/);
      assert.ok(readFileSync(s.file).equals(before));
      assert.deepEqual(readdirSync(s.runtime), []);
    });
  }

  it("creates a missing file from an empty document, encrypted with the matching rule's keys", async () => {
    const s = await setup(`printf 'token: abc\\n' > "$1"`, { ".kmsrc": `rules:\n  - path: "**/*.yaml"\n    age: [${TEST_AGE_RECIPIENT}]\n` });
    const file = join(s.dir, "config", "new.enc.yaml");
    mkdirSync(join(s.dir, "config"));
    const r = await cli(["edit", file], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /created/);
    assert.match(readFileSync(file, "utf8"), new RegExp(`recipient: ${TEST_AGE_RECIPIENT}`));
    assert.equal((await cli(["get", file, "token"])).stdout, "abc\n");
  });

  it("refuses a new file in a missing folder before the editor opens", async () => {
    const s = await setup(`touch "$ED_DIR/launched"`);
    const r = await cli(["edit", join(s.dir, "nope", "new.enc.yaml")], { env: s.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does not exist/);
    assert.equal(existsSync(join(s.dir, "launched")), false);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(
      `leaves no plaintext behind when kmseal itself gets ${signal}`,
      { skip: !existsSync(BIN) && "dist/kmseal.js is not built (npm run build)" },
      async () => {
        const s = await setup(`echo "$1" > "$ED_DIR/seen"\nexec sleep 30`);
        const before = readFileSync(s.file);
        const child = spawn(process.execPath, [BIN, "edit", s.file], {
          env: { ...s.env, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent" },
          stdio: ["ignore", "ignore", "pipe"],
        });
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on("exit", (code, sig) => {
            resolve({ code, signal: sig });
          }),
        );
        await waitFor(join(s.dir, "seen"));
        const temp = readFileSync(join(s.dir, "seen"), "utf8").trim();
        assert.ok(existsSync(temp), "the editor sees the decrypted copy");
        child.kill(signal);
        const { code, signal: died } = await exited;
        assert.ok(died === signal || code === (signal === "SIGTERM" ? 143 : 130), `exit ${code} ${died}`);
        assert.equal(existsSync(temp), false);
        assert.deepEqual(readdirSync(s.runtime), []);
        assert.ok(readFileSync(s.file).equals(before));
      },
    );
  }
});
