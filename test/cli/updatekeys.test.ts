import { beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EncryptCommand } from "@aws-sdk/client-kms";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { describeKeyChange } from "../../src/ops/keys/diff.js";

const { kms, reset } = fakeKms();
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };
const SECOND = FAKE_ARN.replace("0f0f0f0f", "1e1e1e1e");
const rule = (keys: string) => `rules:\n  - path: "config/**"\n${keys}`;

describe("updatekeys compares keys by identity", () => {
  beforeEach(() => {
    reset();
  });

  it("sees an alias and the ARN it names as one key: no change, nothing written", async () => {
    const dir = testdir({ ".kmsrc": rule("    kms: [alias/app-prod]\n"), "config/a.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "config/a.yaml"], { env, cwd: dir })).code, 0);
    const file = join(dir, "config/a.enc.yaml");
    const before = readFileSync(file);
    assert.match(before.toString(), new RegExp(FAKE_ARN));
    const dry = await cli(["updatekeys", "--dry-run", "config/a.enc.yaml"], { env, cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, "config/a.enc.yaml: no change: its keys already match the rule\n");
    const real = await cli(["updatekeys", "config/a.enc.yaml"], { env, cwd: dir });
    assert.equal(real.stdout, "config/a.enc.yaml: no change: its keys already match the rule\n");
    assert.ok(readFileSync(file).equals(before));
  });

  it("says in words what a dry run would add and remove, and writes nothing", async () => {
    // The file's keys (from --kms) are not the rule's.
    const dir = testdir({ ".kmsrc": rule(`    kms: [${SECOND}]\n    age: [${TEST_AGE_RECIPIENT}]\n`), "config/a.yaml": "token: t0p\n" });
    assert.equal((await cli(["encrypt", "--kms", "alias/app-prod", "config/a.yaml"], { env, cwd: dir })).code, 0);
    const file = join(dir, "config/a.enc.yaml");
    const before = readFileSync(file);
    kms.resetHistory();
    const dry = await cli(["updatekeys", "--dry-run", "config/a.enc.yaml"], { env, cwd: dir });
    assert.equal(dry.stdout, `config/a.enc.yaml: would add KMS key ${SECOND} and age recipient ${TEST_AGE_RECIPIENT}; would remove KMS key ${FAKE_ARN}\n`);
    assert.equal(kms.commandCalls(EncryptCommand).length, 0, "a dry run wraps only to resolve an alias");
    assert.ok(readFileSync(file).equals(before));
    const real = await cli(["updatekeys", "config/a.enc.yaml"], { env, cwd: dir });
    assert.equal(real.stdout, `config/a.enc.yaml: added KMS key ${SECOND} and age recipient ${TEST_AGE_RECIPIENT}; removed KMS key ${FAKE_ARN}\n`);
    assert.doesNotMatch(readFileSync(file, "utf8"), new RegExp(FAKE_ARN));
  });

  it("shows the ARN a new alias resolved to", () => {
    assert.equal(
      describeKeyChange({ added: [`alias/new (${SECOND})`, "ssh-ed25519 AAAA"], removed: [] }, true),
      `would add KMS key alias/new (${SECOND}) and age recipient ssh-ed25519 AAAA`,
    );
  });
});
