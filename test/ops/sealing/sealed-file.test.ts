import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metadataFromPlain } from "../../../src/core/metadata.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { decryptToPlaintext, parseSealed, reseal, rewriteKeys, sealPlaintext, withOpened, type OpenedFile } from "../../../src/ops/sealing/sealed-file.js";
import { yamlStore } from "../../../src/stores/yaml/store.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";

const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" }, notice: () => undefined });
const bytes = (s: string) => Buffer.from(s, "utf8");
const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");
const PLAIN = "db:\n  user: u\n  password: s3cret\nport: 5432\n";

function seal(plain: string, previous?: Uint8Array): Promise<Uint8Array> {
  return sealPlaintext(bytes(plain), { format: "yaml", age: [TEST_AGE_RECIPIENT], previous }, services);
}

/** The ciphertext of every value, by key path. */
function ciphertexts(sealed: Uint8Array): Map<string, string> {
  const doc = yamlStore.parse(sealed);
  return new Map(doc.leaves.filter((l) => l.kind === "value").map((l) => [l.path.join("."), text(l.value.bytes)]));
}

describe("sealed file", () => {
  it("opens what it sealed, and the plaintext is exactly the input", async () => {
    const sealed = await seal(PLAIN);
    assert.doesNotMatch(text(sealed), /s3cret/);
    assert.equal(text(await decryptToPlaintext(sealed, "yaml", {}, services)), PLAIN);
  });

  it("wipes the data key when the callback returns and when it throws", async () => {
    const sealed = await seal(PLAIN);
    let kept: Uint8Array | undefined;
    await withOpened(sealed, "yaml", {}, services, (file) => {
      kept = file.dataKey;
      assert.ok(
        file.dataKey.some((b) => b !== 0),
        "the key is live inside the callback",
      );
    });
    assert.ok(kept!.every((b) => b === 0));
    await assert.rejects(
      withOpened(sealed, "yaml", {}, services, (file) => {
        kept = file.dataKey;
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.ok(kept!.every((b) => b === 0));
  });

  it("refuses a plaintext document, to read or to seal again", async () => {
    await assert.rejects(parseSealed(bytes(PLAIN), "yaml"), /not encrypted/);
    await assert.rejects(sealPlaintext(await seal(PLAIN), { format: "yaml", age: [TEST_AGE_RECIPIENT] }, services), /already encrypted/);
  });

  it("keeps the data key and unchanged ciphertexts of a previous version sealed with the same keys", async () => {
    const first = await seal(PLAIN);
    const same = await seal(PLAIN, first);
    assert.equal(text(same), text(first));
    const changed = await seal(PLAIN.replace("u\n", "v\n"), first);
    const [a, b] = [ciphertexts(first), ciphertexts(changed)];
    assert.equal(b.get("db.password"), a.get("db.password"));
    assert.notEqual(b.get("db.user"), a.get("db.user"));
    assert.equal(text(await decryptToPlaintext(changed, "yaml", {}, services)), PLAIN.replace("u\n", "v\n"));
  });

  it("reseals a changed plaintext keeping every unchanged ciphertext, and raises nothing when nothing changed", async () => {
    const first = await seal(PLAIN);
    const { unchanged, again, edited } = await withOpened(first, "yaml", {}, services, async (file: OpenedFile) => {
      const again = await reseal(file.plaintext(), file);
      const edited = await reseal(bytes(PLAIN.replace("5432", "5433")), file, { keepVersion: true });
      return { unchanged: again.unchanged, again: again.bytes, edited: edited.bytes };
    });
    assert.equal(unchanged, true);
    assert.equal(text(again), text(first));
    const [a, b] = [ciphertexts(first), ciphertexts(edited)];
    assert.equal(b.get("db.password"), a.get("db.password"));
    assert.notEqual(b.get("port"), a.get("port"));
    assert.equal(text(await decryptToPlaintext(edited, "yaml", {}, services)), PLAIN.replace("5432", "5433"));
  });

  it("rewrites only the key records: values, MAC and stamp stay", async () => {
    const first = await seal(PLAIN);
    const file = await parseSealed(first, "yaml");
    const [record] = file.meta.keys;
    const out = rewriteKeys(file, [record!, record!]);
    const before = metadataFromPlain(yamlStore.parse(first).metadata);
    const after = metadataFromPlain(yamlStore.parse(out).metadata);
    assert.deepEqual(ciphertexts(out), ciphertexts(first));
    assert.deepEqual([after.mac, after.lastmodified, after.keys.length], [before.mac, before.lastmodified, 2]);
    assert.equal(text(await decryptToPlaintext(out, "yaml", {}, services)), PLAIN);
  });
});
