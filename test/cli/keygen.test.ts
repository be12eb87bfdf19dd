/** `kmseal keygen` creates an identity; `--show` prints the recipients of the one there is, never a secret key. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateHybridIdentity, identityToRecipient } from "age-encryption";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

describe("keygen --show", () => {
  it("prints the recipient keygen printed, from the default file (XDG_CONFIG_HOME) or -o PATH", async () => {
    const dir = testdir({});
    const env = { XDG_CONFIG_HOME: join(dir, "config") };
    const made = await cli(["keygen"], { env });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^age1[0-9a-z]{58}\n$/);
    const shown = await cli(["keygen", "--show"], { env });
    assert.deepEqual({ code: shown.code, stdout: shown.stdout, stderr: shown.stderr }, { code: 0, stdout: made.stdout, stderr: "" });
    const file = join(dir, "config", "kmseal", "age", "keys.txt");
    assert.match(readFileSync(file, "utf8"), /AGE-SECRET-KEY-1/);
    const other = join(dir, "other.txt");
    writeFileSync(other, `# a key\n${TEST_AGE_IDENTITY}\n`);
    const viaOutput = await cli(["keygen", "--show", "-o", other], { env });
    assert.equal(viaOutput.stdout, `${TEST_AGE_RECIPIENT}\n`);
    assert.doesNotMatch(viaOutput.stdout + viaOutput.stderr, /AGE-SECRET-KEY/);
    // Without --show an existing file is never replaced.
    const again = await cli(["keygen"], { env });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.equal((await cli(["keygen", "--show"], { env })).stdout, made.stdout);
  });

  it("one line per identity in file order (X25519 and post-quantum); a plugin identity is named on stderr", async () => {
    const dir = testdir({});
    const pq = await generateHybridIdentity();
    const file = join(dir, "keys.txt");
    writeFileSync(file, `${TEST_AGE_IDENTITY}\n\n# hybrid\n${pq}\nAGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n`);
    const r = await cli(["keygen", "--show", "-o", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${TEST_AGE_RECIPIENT}\n${await identityToRecipient(pq)}\n`);
    assert.match(r.stdout.split("\n")[1]!, /^age1pq1/);
    assert.match(r.stderr, /also holds an age-plugin-yubikey identity; its recipient comes from the plugin/);
    assert.equal((await cli(["keygen", "--show", "-q", "-o", file])).stderr, "");
  });

  it("no identity file, or one without identities: exit 4 and how to make one", async () => {
    const dir = testdir({ "empty.txt": "# nothing here\n" });
    const missing = await cli(["keygen", "--show", "-o", join(dir, "none.txt")]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /there is no age identity file at .*none\.txt/);
    assert.match(missing.stderr, /hint: create one with `kmseal keygen`/);
    const empty = await cli(["keygen", "--show", "-o", join(dir, "empty.txt")]);
    assert.equal(empty.code, 4);
    assert.match(empty.stderr, /holds no age identity/);
    assert.equal(missing.stdout + empty.stdout, "");
  });
});
