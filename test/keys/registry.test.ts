import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KeyRecord } from "../../src/core/metadata.js";
import { KEY_KINDS, keyKind, kindOfId, recordId } from "../../src/keys/registry.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { keySourcesFor } from "../../src/ops/keys/choice.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("the key registry", () => {
  it("lists each kind once, KMS first, with one catch-all for names no kind recognises", () => {
    assert.deepEqual(
      KEY_KINDS.map((k) => [k.kind, k.field]),
      [
        ["kms", "kms"],
        ["age", "age"],
      ],
    );
    assert.equal(KEY_KINDS.filter((k) => k.recognises === undefined).length, 1);
    assert.equal(KEY_KINDS.filter((k) => k.defaultKey !== undefined).length, 1);
    for (const k of KEY_KINDS) assert.equal(keyKind(k.kind), k);
  });

  it("tells a name's kind by its text", () => {
    assert.equal(kindOfId(TEST_AGE_RECIPIENT).kind, "age");
    assert.equal(kindOfId("ssh-ed25519 AAAAC3Nza me@host").kind, "age");
    assert.equal(kindOfId(ARN).kind, "kms");
    assert.equal(kindOfId("alias/app-prod").kind, "kms");
    assert.equal(kindOfId("1234abcd-12ab-34cd-56ef-1234567890ab").kind, "kms");
  });

  it("names records for people: the ARN, the recipient", () => {
    const records: KeyRecord[] = [
      { type: "kms", arn: ARN, awsProfile: "", context: undefined, createdAt: "2026-01-01T00:00:00Z", enc: "x", role: undefined },
      { type: "age", recipient: TEST_AGE_RECIPIENT, enc: "y" },
    ];
    assert.deepEqual(records.map(recordId), [ARN, TEST_AGE_RECIPIENT]);
  });

  it("drives the unwrappers a command gets: local kinds first, built once per process", async () => {
    const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: testdir({}) } });
    const first = await services.unwrappers();
    assert.deepEqual(
      first.map((u) => u.type),
      ["age", "kms"],
    );
    assert.equal(await services.unwrappers(), first);
  });

  it("drives the sources a file is sealed to: flags, in table order, each wrapping with its own kind", async () => {
    const services = keyServices({ env: { HOME: testdir({}) } });
    const sources = await keySourcesFor({ age: [TEST_AGE_RECIPIENT], kms: [ARN] }, undefined, { file: "a.enc.yaml" }, services);
    assert.deepEqual(
      sources.map((s) => [s.type, s.id]),
      [
        ["kms", ARN],
        ["age", TEST_AGE_RECIPIENT],
      ],
    );
    const ageRecord = await sources[1]!.wrap(TEST_DATA_KEY);
    const unwrappers = await keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: testdir({}) } }).unwrappers();
    assert.deepEqual(await unwrappers[0]!.unwrap(ageRecord), TEST_DATA_KEY);
  });

  it("reports a bad name of either kind as a usage error", async () => {
    const services = keyServices({ env: { HOME: testdir({}) } });
    await assert.rejects(keySourcesFor({ age: ["age1nope"] }, undefined, {}, services), /is not an age recipient|age1nope/);
    await assert.rejects(keySourcesFor({ kms: ["not a key id"] }, undefined, {}, services), /not a key id/);
  });

  it("falls back to the default kind's key when nothing names one, creating it once", async () => {
    const home = testdir({});
    const notices: string[] = [];
    const services = keyServices({ env: { HOME: home, XDG_CONFIG_HOME: `${home}/.config` }, notice: (m) => notices.push(m) });
    const [a, b] = await Promise.all([keySourcesFor({}, undefined, {}, services), keySourcesFor({}, undefined, {}, services)]);
    assert.equal(a.length, 1);
    assert.equal(a[0]!.type, "age");
    assert.equal(a[0]!.id, b[0]!.id);
    assert.equal(notices.length, 1, notices.join("\n"));
  });
});
