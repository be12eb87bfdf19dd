import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Decrypter, Encrypter, armor, generateIdentity, identityToRecipient } from "age-encryption";
import { generateX25519Identity, x25519Decrypt, x25519Encrypt, x25519Identity, x25519RecipientKey, x25519RecipientOf } from "../../../src/keys/age/x25519.js";
import { AgeIdentities } from "../../../src/keys/age/source.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../../helpers/keys.js";

const SOPS_VECTOR_STANZA = `-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBtc2c1NFp1b2wrTUVGcDFI
WGNtbWY2Rm4wbC9pNGMvY0hCUG4xTER0cFVNCll5WDB0bFlYczdWcklONjFZSWh5
MnU3K2dkN0RCRitBaW4rVUI2R25VS00KLS0tIEtRNmFwdTc1OGRrMWVrbmNnYlcz
ZkNHRFJpS1VJLyt3bmlmaFZKdDJJZTQKcxPu8gj38WdqUxT9OgEBp+45OyINLLvh
q21zPZLYSFAvfCLzPZ215J40D/RZR/AeiI6+nRDmzNnRMw9WYQu19Q==
-----END AGE ENCRYPTED FILE-----
`;

describe("native age X25519", () => {
  it("derives the recipient of an identity (the §12 test pair)", () => {
    assert.equal(x25519RecipientOf(TEST_AGE_IDENTITY), TEST_AGE_RECIPIENT);
  });

  it("decrypts the sops-format.md §12.1 stanza (made by age-encryption) to the data key", () => {
    const key = x25519Decrypt([x25519Identity(TEST_AGE_IDENTITY)!], SOPS_VECTOR_STANZA);
    assert.deepEqual(key, TEST_DATA_KEY);
  });

  it("writes stanzas the age-encryption package decrypts, and reads the package's", async () => {
    const ours = x25519Encrypt(x25519RecipientKey(TEST_AGE_RECIPIENT)!, TEST_DATA_KEY);
    const d = new Decrypter();
    d.addIdentity(TEST_AGE_IDENTITY);
    assert.deepEqual(Buffer.from(await d.decrypt(armor.decode(ours))), TEST_DATA_KEY);
    const e = new Encrypter();
    e.addRecipient(TEST_AGE_RECIPIENT);
    const theirs = armor.encode(await e.encrypt(TEST_DATA_KEY));
    assert.deepEqual(x25519Decrypt([x25519Identity(TEST_AGE_IDENTITY)!], theirs), TEST_DATA_KEY);
  });

  it("generates identities the package agrees with", async () => {
    const id = generateX25519Identity();
    assert.equal(x25519RecipientOf(id), await identityToRecipient(id));
    const theirs = await generateIdentity();
    assert.equal(x25519RecipientOf(theirs), await identityToRecipient(theirs));
  });

  it("returns null for someone else's stanza and rejects a tampered header or payload", () => {
    const other = generateX25519Identity();
    const file = x25519Encrypt(x25519RecipientKey(x25519RecipientOf(other)!)!, TEST_DATA_KEY);
    assert.equal(x25519Decrypt([x25519Identity(TEST_AGE_IDENTITY)!], file), null);
    const mine = x25519Encrypt(x25519RecipientKey(TEST_AGE_RECIPIENT)!, TEST_DATA_KEY);
    const raw = Buffer.from(mine.split("\n").slice(1, -2).join(""), "base64");
    for (const at of [raw.length - 5, raw.indexOf(Buffer.from("---")) + 6]) {
      const bad = Buffer.from(raw);
      bad[at] = bad[at]! ^ 1;
      const armored = `-----BEGIN AGE ENCRYPTED FILE-----\n${bad
        .toString("base64")
        .match(/.{1,64}/g)!
        .join("\n")}\n-----END AGE ENCRYPTED FILE-----\n`;
      assert.throws(() => x25519Decrypt([x25519Identity(TEST_AGE_IDENTITY)!], armored));
    }
  });

  it("round-trips bech32 and rejects a bad checksum", () => {
    const generated = generateX25519Identity();
    assert.equal(x25519RecipientOf(generated), x25519RecipientOf(generated.toLowerCase()));
    assert.equal(x25519RecipientOf(TEST_AGE_IDENTITY), TEST_AGE_RECIPIENT);
    assert.equal(x25519RecipientKey(TEST_AGE_RECIPIENT.slice(0, -1) + (TEST_AGE_RECIPIENT.endsWith("q") ? "p" : "q")), null);
    assert.equal(x25519RecipientKey(TEST_AGE_RECIPIENT.toUpperCase().slice(0, 10) + TEST_AGE_RECIPIENT.slice(10)), null, "mixed case");
  });

  it("AgeIdentities opens an X25519 stanza without loading the age-encryption package's decrypter", async () => {
    const ids = new AgeIdentities([TEST_AGE_IDENTITY]);
    const key = await ids.unwrap({ type: "age", recipient: TEST_AGE_RECIPIENT, enc: SOPS_VECTOR_STANZA });
    assert.deepEqual(Buffer.from(key!), TEST_DATA_KEY);
  });
});
