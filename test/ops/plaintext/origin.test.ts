import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MAX_RECORDS, forgetOrigin, readOrigin, recordOrigin } from "../../../src/ops/plaintext/origin.js";
import { cli } from "../../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { testdir } from "../../helpers/testdir.js";
import { tempRepo } from "../../git/temp-repo.js";

async function sealedEnv(dir: string): Promise<Buffer> {
  writeFileSync(join(dir, ".env"), "TOKEN=origin-canary-4711\n");
  const r = await cli(["encrypt", "--force", "--age", TEST_AGE_RECIPIENT, join(dir, ".env")]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(join(dir, ".env.enc"));
}

describe("records of what plaintext copies were made from", () => {
  it("live under the common git folder inside a repository, 0700 and 0600, with the ciphertext and no plaintext", async () => {
    const dir = tempRepo();
    const bytes = await sealedEnv(dir);
    assert.equal(await recordOrigin(join(dir, ".env"), join(dir, ".env.enc"), bytes, "dotenv", {}), true);
    const records = join(dir, ".git", "kmseal", "copies");
    assert.equal(statSync(records).mode & 0o777, 0o700);
    const [name] = readdirSync(records);
    assert.equal(statSync(join(records, name!)).mode & 0o777, 0o600);
    assert.ok(!readFileSync(join(records, name!), "utf8").includes("origin-canary"));
    const origin = await readOrigin(join(dir, ".env"), {});
    assert.ok(origin !== null);
    assert.ok(origin.ciphertext?.equals(bytes));
    assert.equal(origin.encrypted, join(dir, ".env.enc"));
    await forgetOrigin(join(dir, ".env"), {});
    assert.equal(await readOrigin(join(dir, ".env"), {}), null);
  });

  it("are not kept when there is no repository and no existing home or cache folder (nothing is created)", async () => {
    const dir = testdir();
    const bytes = await sealedEnv(dir);
    const home = join(dir, "no-such-home");
    assert.equal(await recordOrigin(join(dir, ".env"), join(dir, ".env.enc"), bytes, "dotenv", { HOME: home }), false);
    assert.equal(existsSync(home), false);
    assert.equal(await readOrigin(join(dir, ".env"), { HOME: home }), null);
  });

  it("a record that is not kmseal's (unreadable JSON, another path) is no record", async () => {
    const cache = testdir();
    const dir = testdir();
    const bytes = await sealedEnv(dir);
    const env = { XDG_CACHE_HOME: cache };
    assert.equal(await recordOrigin(join(dir, ".env"), join(dir, ".env.enc"), bytes, "dotenv", env), true);
    const records = join(cache, "kmseal", "copies");
    const [name] = readdirSync(records);
    writeFileSync(join(records, name!), "{not json");
    assert.equal(await readOrigin(join(dir, ".env"), env), null);
    writeFileSync(join(records, name!), JSON.stringify({ v: 1, plaintext: "/elsewhere/.env", encrypted: "/x", mac: "m", lastmodified: "t" }));
    assert.equal(await readOrigin(join(dir, ".env"), env), null);
  });

  it(`are bounded: at most ${MAX_RECORDS} per folder, the least recently written go first`, async () => {
    const cache = testdir();
    const dir = testdir();
    const bytes = await sealedEnv(dir);
    const env = { XDG_CACHE_HOME: cache };
    const total = MAX_RECORDS + 8;
    for (let i = 0; i < total; i++) assert.equal(await recordOrigin(join(dir, `copy-${i}.env`), join(dir, ".env.enc"), bytes, "dotenv", env), true);
    assert.ok(readdirSync(join(cache, "kmseal", "copies")).length <= MAX_RECORDS);
    assert.notEqual(await readOrigin(join(dir, `copy-${total - 1}.env`), env), null, "the newest is kept");
  });
});
