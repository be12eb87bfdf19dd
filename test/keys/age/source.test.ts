import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AgeIdentities, AgeRecipient } from "../../../src/keys/age/source.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../../helpers/keys.js";

describe("age key source", () => {
  it("wraps into an armored stanza the identity unwraps", async () => {
    const record = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
    assert.match(record.enc, /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
    const key = await new AgeIdentities([TEST_AGE_IDENTITY]).unwrap(record);
    assert.deepEqual(Buffer.from(key!), TEST_DATA_KEY);
  });

  it("returns null for a stanza to someone else", async () => {
    const { generateIdentity, identityToRecipient } = await import("age-encryption");
    const other = await identityToRecipient(await generateIdentity());
    const record = await new AgeRecipient(other).wrap(TEST_DATA_KEY);
    assert.equal(await new AgeIdentities([TEST_AGE_IDENTITY]).unwrap(record), null);
  });

  it("throws for a corrupted stanza addressed to us", async () => {
    const record = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
    const broken = { ...record, enc: record.enc.replace(/\n(.)/, "\n!") };
    await assert.rejects(new AgeIdentities([TEST_AGE_IDENTITY]).unwrap(broken), /age stanza/);
  });

  it("rejects something that is not a recipient", () => {
    assert.throws(() => new AgeRecipient("not-a-recipient"), /not an age recipient/);
  });
});
