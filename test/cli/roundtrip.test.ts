import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { encryptedName } from "../../src/stores/file-name.js";

const FIXTURES = join(process.cwd(), "fixtures", "plain");
/** Fixtures that cannot round-trip byte for byte, by design (README: "What round-trips exactly"). */
const DATA_ONLY = new Set(["aliases.yaml"]);

describe("encrypt then decrypt with age (CLI)", () => {
  for (const name of readdirSync(FIXTURES).filter((n) => !DATA_ONLY.has(n))) {
    it(`gives back ${name} byte for byte`, async () => {
      const dir = testdir({ ".kmsrc": "rules: []\n" });
      copyFileSync(join(FIXTURES, name), join(dir, name));
      const enc = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, name)]);
      assert.equal(enc.code, 0, enc.stderr);
      const encPath = encryptedName(join(dir, name));
      assert.equal(enc.stdout, `${encPath}\n`);
      const encrypted = readFileSync(encPath);
      assert.ok(encrypted.includes("ENC[AES256_GCM,data:"), "values are encrypted");
      const dec = await cli(["decrypt", "--stdout", encPath]);
      assert.equal(dec.code, 0, dec.stderr);
      assert.ok(dec.stdoutBytes.equals(readFileSync(join(FIXTURES, name))), `${name} differs after the round trip`);
    });
  }
});

describe("decrypt output file", () => {
  it("writes the plaintext sibling with mode 0600 and refuses to overwrite a differing one", async () => {
    const dir = testdir({ "app.yaml": "a: 1\nb: two\n" });
    const path = join(dir, "app.yaml");
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, path])).code, 0);
    writeFileSync(path, "a: 2\n");
    const refused = await cli(["decrypt", join(dir, "app.enc.yaml")]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /differs/);
    assert.equal(readFileSync(path, "utf8"), "a: 2\n");
    const forced = await cli(["decrypt", "--force", join(dir, "app.enc.yaml")]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(path, "utf8"), "a: 1\nb: two\n");
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("refuses to encrypt an encrypted file and to decrypt a plaintext one", async () => {
    const dir = testdir({ "app.yaml": "a: 1\n" });
    await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")]);
    const again = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, "-o", join(dir, "x.enc.yaml"), join(dir, "app.enc.yaml")]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already encrypted/);
    assert.equal(existsSync(join(dir, "x.enc.yaml")), false);
    const plain = await cli(["decrypt", "--stdout", join(dir, "app.yaml")]);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /not encrypted/);
  });
});

describe("stable re-encryption", () => {
  it("changes only the edited value's line plus lastmodified, mac and the manifest bound to them", async () => {
    const dir = testdir({ "app.yaml": "db:\n  user: admin\n  password: s3cr3t\nport: 5432\n" });
    const path = join(dir, "app.yaml");
    await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, path]);
    const before = readFileSync(join(dir, "app.enc.yaml"), "utf8").split("\n");
    writeFileSync(path, "db:\n  user: admin\n  password: n3w-s3cr3t\nport: 5432\n");
    await new Promise((r) => setTimeout(r, 1100)); // lastmodified has whole seconds
    const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, path]);
    assert.equal(r.code, 0, r.stderr);
    const after = readFileSync(join(dir, "app.enc.yaml"), "utf8").split("\n");
    assert.equal(after.length, before.length);
    const changed = after.map((l, i) => (l === before[i] ? null : l.trim().split(":")[0])).filter((x) => x !== null);
    assert.deepEqual(changed, ["password", "kmseal_manifest", "lastmodified", "mac"]);
  });

  it("leaves the encrypted file untouched (bytes and mtime) when nothing changed", async () => {
    const dir = testdir({ "app.yaml": "a: 1\nb: two\n# note\n" });
    const path = join(dir, "app.yaml");
    await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, path]);
    const encPath = join(dir, "app.enc.yaml");
    const bytes = readFileSync(encPath);
    const mtime = statSync(encPath).mtimeMs;
    await new Promise((r) => setTimeout(r, 1100));
    const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, path]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(encPath).equals(bytes));
    assert.equal(statSync(encPath).mtimeMs, mtime);
  });
});
