import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { canonicalBytes, decryptValue, encryptValue, parseEnc } from "../../src/core/value.js";
import { goFormatFloat } from "../../src/core/go-number.js";
import { scalar } from "../../src/core/tree.js";
import { TEST_DATA_KEY } from "../helpers/keys.js";

describe("value codec", () => {
  it("decrypts the known-answer values of sops-format.md §12.1", () => {
    const port = "ENC[AES256_GCM,data:G6n/QQ==,iv:CgH4aEQboHa6j2J+Qp3Zp6pXLnkNu1TWThoaRjqXrZ8=,tag:U7AImukEyhY08XR8J7hrmA==,type:int]";
    const v = decryptValue(port, "db:port:", TEST_DATA_KEY);
    assert.equal(v.type, "int");
    assert.equal(Buffer.from(v.bytes).toString(), "5432");
    const comment = "ENC[AES256_GCM,data:Nolr2JvbZBfMo9P94Ds9Nn/c,iv:7dIgYAKbEht9iTe9EVIayUHT5Dt3gFvJbf0PP0UzKGs=,tag:LiO6aWcCP0MtvEsU4OQb0w==,type:comment]";
    assert.equal(Buffer.from(decryptValue(comment, ":", TEST_DATA_KEY).bytes).toString(), " database settings");
  });

  it("round-trips every type with a 32-byte IV and 16-byte tag", () => {
    for (const [type, text] of [
      ["str", "héllo\nworld"],
      ["int", "-42"],
      ["float", "0.5"],
      ["bool", "True"],
      ["comment", " c"],
    ] as const) {
      const enc = encryptValue(scalar(type, text), "a:b:", TEST_DATA_KEY);
      const parts = parseEnc(enc);
      assert.equal(parts.iv.length, 32);
      assert.equal(parts.tag.length, 16);
      assert.equal(parts.data.length, Buffer.byteLength(text));
      const back = decryptValue(enc, "a:b:", TEST_DATA_KEY);
      assert.equal(back.type, type);
      assert.equal(Buffer.from(back.bytes).toString(), text);
    }
  });

  it("never encrypts an empty value", () => {
    assert.equal(encryptValue(scalar("str", ""), "k:", TEST_DATA_KEY), "");
  });

  it("rejects a value under another key path", () => {
    const enc = encryptValue(scalar("str", "secret"), "a:", TEST_DATA_KEY);
    assert.throws(() => decryptValue(enc, "b:", TEST_DATA_KEY), /does not authenticate/);
  });

  it("rejects unpadded base64 and unknown types", () => {
    const enc = encryptValue(scalar("str", "x"), "a:", TEST_DATA_KEY);
    assert.throws(() => parseEnc(enc.replace(/iv:([^,]+)=,/, "iv:$1,")), /malformed iv/);
    assert.throws(() => decryptValue(enc.replace("type:str", "type:blob"), "a:", TEST_DATA_KEY), /unknown type/);
  });

  it("rejects base64 fields with characters outside the standard alphabet, wherever they are", () => {
    const enc = encryptValue(scalar("str", "a value long enough for a few base64 groups"), "a:", TEST_DATA_KEY);
    const data = /data:([^,]+),/.exec(enc)![1]!;
    assert.doesNotThrow(() => parseEnc(enc));
    // Node's base64 decoder would take the URL-safe "-" and "_" and skip others: the check must not rely on it.
    for (const bad of ["-", "_", "=", " ", "\n", "é", "\u{1F600}", "."]) {
      for (const at of [0, Math.floor(data.length / 2), data.length - 3]) {
        const broken = data.slice(0, at) + bad + data.slice(at + bad.length);
        const fixedLength = broken.length % 4 === 0 ? broken : broken.slice(0, broken.length - (broken.length % 4));
        assert.throws(() => parseEnc(enc.replace(data, fixedLength)), /malformed data|not a valid ENC/, `${JSON.stringify(bad)} at ${at}`);
      }
    }
  });
});

describe("Go number and bool text", () => {
  it("formats floats like strconv.FormatFloat(v, 'f', -1, 64)", () => {
    assert.equal(goFormatFloat(1e21), "1000000000000000000000");
    assert.equal(goFormatFloat(1e-7), "0.0000001");
    assert.equal(goFormatFloat(1.0), "1");
    assert.equal(goFormatFloat(0.5), "0.5");
    assert.equal(goFormatFloat(-0), "-0");
    assert.equal(goFormatFloat(123.456), "123.456");
    assert.equal(goFormatFloat(Number.NaN), "NaN");
    assert.equal(goFormatFloat(-Infinity), "-Inf");
  });

  it("hashes values in sops's canonical form", () => {
    const text = (type: "int" | "float" | "bool", s: string) => Buffer.from(canonicalBytes(scalar(type, s))).toString();
    assert.equal(text("bool", "true"), "True");
    assert.equal(text("float", "1.50"), "1.5");
    assert.equal(text("float", "1e3"), "1000");
    assert.equal(text("int", "+5"), "5");
  });
});
