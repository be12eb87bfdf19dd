/** A mistyped key name is the user's error (exit 2, naming it), never "internal error … a bug". */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN } from "../helpers/fake-kms.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const creds = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };
// A character outside bech32's alphabet ("o"), and one valid character swapped (checksum fails).
const swapped = TEST_AGE_RECIPIENT.slice(0, 10) + (TEST_AGE_RECIPIENT[10] === "q" ? "p" : "q") + TEST_AGE_RECIPIENT.slice(11);
const BAD = [
  ["--age", "age1notvalid"],
  ["--age", swapped],
  ["--age", TEST_AGE_RECIPIENT.slice(0, -5)],
  ["--kms", "not-a-key"],
  ["--kms", "arn:aws:kms:us-east-1:123:key"],
  ["--kms", FAKE_ARN.replace("key/", "kee/")],
] as const;

describe("malformed recipients and KMS key ids", () => {
  for (const [flag, name] of BAD) {
    it(`${flag} ${name.length > 30 ? name.slice(0, 30) + "…" : name}: exit 2 naming it, nothing written`, async () => {
      const dir = testdir({ "a.yaml": "k: v\n" });
      const r = await cli(["encrypt", flag, name, join(dir, "a.yaml")], { env: creds });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`"${name}"`), r.stderr);
      assert.doesNotMatch(r.stderr, /internal error|this is a bug/);
      assert.equal(existsSync(join(dir, "a.enc.yaml")), false);
    });
  }

  it("a malformed key in a .kmsrc rule is exit 2 naming it", async () => {
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "*.yaml"\n    kms: [arn:aws:kms:eu-west-1:1:key]\n`, "a.yaml": "k: v\n" });
    const r = await cli(["encrypt", join(dir, "a.yaml")], { env: creds });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /"arn:aws:kms:eu-west-1:1:key" is not a KMS key/);
  });

  it("the well-formed names still work", async () => {
    for (const id of ["alias/app-prod", "1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab", FAKE_ARN]) {
      const { checkKmsKeyId } = await import("../../src/keys/key-ids.js");
      assert.doesNotThrow(() => {
        checkKmsKeyId(id);
      }, id);
    }
    const dir = testdir({ "a.yaml": "k: v\n" });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "a.yaml")])).code, 0);
  });
});
