import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { binaryStore } from "../../../src/stores/binary/store.js";
import { bytes, openDocument, sealDocument, text } from "../sealing.js";

const blob = readFileSync(new URL("../../../../fixtures/plain/blob.bin", import.meta.url));

describe("binary store", () => {
  it("holds the whole file as one raw value under data, never decoding it", () => {
    assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(blob), "the fixture is not UTF-8");
    assert.ok(blob.includes(0x00) && blob.includes(0xff));
    const doc = binaryStore.parse(blob);
    assert.equal(doc.metadata, null);
    assert.equal(doc.leaves.length, 1);
    assert.deepEqual(doc.leaves[0]!.path, ["data"]);
    assert.equal(doc.leaves[0]!.value.type, "str");
    assert.deepEqual(Buffer.from(doc.leaves[0]!.value.bytes), blob);
    assert.deepEqual(Buffer.from(doc.render([], null)), blob);
  });

  it("seals into sops's tab-indented JSON envelope with a final newline", () => {
    const sealed = text(sealDocument(binaryStore, blob));
    assert.match(
      sealed,
      /^\{\n\t"data": "ENC\[AES256_GCM,data:[^"]+,type:str\]",\n\t"sops": \{\n\t\t"age": \[\n\t\t\t\{\n\t\t\t\t"enc": "-----BEGIN AGE ENCRYPTED FILE-----\\n/,
    );
    assert.match(
      sealed,
      /\n\t\t"lastmodified": "[^"]+",\n\t\t"mac": "ENC\[[^"]+\]",\n\t\t"unencrypted_suffix": "_unencrypted",\n\t\t"version": "[^"]+"\n\t\}\n\}\n$/,
    );
    const doc = binaryStore.parse(bytes(sealed));
    assert.notEqual(doc.metadata, null);
    assert.match(text(doc.leaves[0]!.value.bytes), /^ENC\[/);
  });

  it("round-trips blob.bin, an empty file and text byte for byte", () => {
    for (const input of [blob, Buffer.alloc(0), Buffer.from("plain text\r\n"), Buffer.from('{"data": "x"}')]) {
      assert.deepEqual(Buffer.from(openDocument(binaryStore, sealDocument(binaryStore, input))), input);
    }
  });

  it("treats anything but a JSON object with data and sops members as plaintext", () => {
    for (const input of ['{"data": "x"}', '{"sops": {}}', '{"data": 1, "sops": {}}', "[1]", "{not json"]) {
      assert.equal(binaryStore.parse(bytes(input)).metadata, null, input);
    }
  });
});
