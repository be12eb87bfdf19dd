import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";

describe("--all", () => {
  it("encrypts and decrypts every covered file; one bad MAC fails with exit 3 while the others are written", async () => {
    const files: Record<string, string> = { ".kmsrc": `rules:\n  - path: "secrets/**"\n    age: [${TEST_AGE_RECIPIENT}]\n` };
    for (let i = 0; i < 12; i++) files[`secrets/s${i}.yaml`] = `a: ${i}\nb: value-${i}\n`;
    const dir = testdir(files);
    const enc = await cli(["encrypt", "--all"], { cwd: dir });
    assert.equal(enc.code, 0, enc.stderr);
    assert.match(enc.stderr, /encrypted 12 of 12 files/);
    for (let i = 0; i < 12; i++) unlinkSync(join(dir, `secrets/s${i}.yaml`));
    const bad = join(dir, "secrets/s5.enc.yaml");
    writeFileSync(
      bad,
      readFileSync(bad, "utf8").replace(/mac: ENC\[AES256_GCM,data:(.)/, (_m, c: string) => `mac: ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`),
    );
    const dec = await cli(["decrypt", "--all"], { cwd: dir });
    assert.equal(dec.code, 3, dec.stderr);
    assert.match(dec.stderr, /decrypted 11 of 12 files, 1 failed/);
    assert.match(dec.stderr, /s5\.enc\.yaml/);
    for (let i = 0; i < 12; i++) assert.equal(existsSync(join(dir, `secrets/s${i}.yaml`)), i !== 5);
  });

  it("shows a progress line on a terminal", async () => {
    const files: Record<string, string> = { ".kmsrc": `rules:\n  - path: "s/**"\n    age: [${TEST_AGE_RECIPIENT}]\n` };
    for (let i = 0; i < 5; i++) files[`s/f${i}.yaml`] = `a: ${i}\n`;
    const dir = testdir(files);
    const r = await cli(["encrypt", "--all"], { cwd: dir, tty: true, env: { CI: undefined } });
    assert.equal(r.code, 0, r.stderr);
    for (let i = 1; i <= 5; i++) assert.ok(r.stderr.includes(`${i}/5 files`), `progress ${i}/5 shown`);
    assert.match(r.stderr, /encrypted 5 of 5 files/);
  });

  it("without files or --all is a usage error", async () => {
    const r = await cli(["decrypt"], { cwd: testdir({ ".kmsrc": "rules: []\n" }) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--all/);
  });
});
