/**
 * With a `.kmsrc`, the project says who may read its files. A file none of its rules covers, with no
 * --kms/--age, is refused (exit 2) with the rule to add, as sops refuses it, instead of being sealed
 * to the user's personal age key without a word.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const KMSRC = `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`;

describe("a file no .kmsrc rule covers", () => {
  it("is refused with exit 2, naming the file, the .kmsrc and the rule to add; nothing is written", async () => {
    const home = testdir();
    const dir = testdir({ ".kmsrc": KMSRC, "other/app.yaml": "k: v\n" });
    const r = await cli(["encrypt", join(dir, "other/app.yaml")], { env: { HOME: home, KMSEAL_AGE_KEY: "" } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no rule in .*\.kmsrc covers other\/app\.yaml, and no --kms or --age was given/);
    assert.match(r.stderr, /- path: "other\/app\.yaml"/);
    assert.equal(existsSync(join(dir, "other/app.enc.yaml")), false);
    assert.equal(existsSync(join(home, ".config", "kmseal")), false, "no personal identity was created for it");
  });

  it("a covered file, and an uncovered one with --age, still encrypt; without a .kmsrc the personal key is used", async () => {
    const dir = testdir({ ".kmsrc": KMSRC, "config/a.yaml": "k: v\n", "other/b.yaml": "k: v\n" });
    assert.equal((await cli(["encrypt", join(dir, "config/a.yaml")])).code, 0);
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "other/b.yaml")])).code, 0);
    const home = testdir();
    const bare = testdir({ "c.yaml": "k: v\n" });
    mkdirSync(join(bare, ".git")); // the project root without a .kmsrc
    const r = await cli(["encrypt", join(bare, "c.yaml")], { env: { HOME: home, KMSEAL_AGE_KEY: "" } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /created an age identity/);
  });
});
