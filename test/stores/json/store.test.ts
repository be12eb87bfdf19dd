import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError } from "../../../src/core/errors.js";
import type { PlainObject } from "../../../src/core/metadata.js";
import { scalar, type Leaf } from "../../../src/core/tree.js";
import { jsonStore } from "../../../src/stores/json/store.js";
import { bytes, openDocument, sealDocument, text } from "../sealing.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../../fixtures/plain/${name}`, import.meta.url));
const leafOf = (leaves: readonly Leaf[], path: string) => leaves.find((l) => l.path.join(".") === path);
const show = (l: Leaf | undefined) => (l === undefined ? undefined : [l.value.type, text(l.value.bytes)]);

describe("json store", () => {
  it("lists values in document order with their key paths; arrays add nothing to the path", () => {
    const doc = jsonStore.parse(bytes('{"a": {"b": [1, {"c": "x"}, [true]]}, "d": null}'));
    assert.deepEqual(
      doc.leaves.map((l) => [l.path.join("."), ...show(l)!]),
      [
        ["a.b", "int", "1"],
        ["a.b.c", "str", "x"],
        ["a.b", "bool", "True"],
        ["d", "null", ""],
      ],
    );
    assert.equal(doc.metadata, null);
  });

  it("types numbers as sops does: int64 integers keep their digits, everything else is a float spelled as written", () => {
    const leaves = jsonStore.parse(fixture("basic.json")).leaves;
    assert.deepEqual(show(leafOf(leaves, "database.port")), ["int", "5432"]);
    assert.deepEqual(show(leafOf(leaves, "database.ratio")), ["float", "1.50"]);
    assert.deepEqual(show(leafOf(leaves, "database.tiny")), ["float", "1e-7"]);
    assert.deepEqual(show(leafOf(leaves, "ids.within_int64")), ["int", "9007199254740993"]);
    assert.deepEqual(show(leafOf(leaves, "ids.int64_max")), ["int", "9223372036854775807"]);
    assert.deepEqual(show(leafOf(leaves, "ids.beyond_int64")), ["float", "12345678901234567890123"]);
    assert.deepEqual(show(leafOf(leaves, "database.enabled")), ["bool", "True"]);
    assert.deepEqual(show(leafOf(leaves, "database.replica")), ["null", ""]);
    assert.deepEqual(show(leafOf(leaves, "escapes")), ["str", "line1\nline2\ttab\u0001 \\n literal"]);
    assert.deepEqual(show(leafOf(leaves, 'tab\tkey "quoted"')), ["str", "x"]);
  });

  it("keeps duplicate keys as separate values, as Go's decoder does", () => {
    const doc = jsonStore.parse(bytes('{"k": 1, "k": 2}'));
    assert.deepEqual(
      doc.leaves.map((l) => [l.path[0], text(l.value.bytes)]),
      [
        ["k", "1"],
        ["k", "2"],
      ],
    );
  });

  for (const name of ["basic.json", "tabs.json"]) {
    it(`round-trips ${name} byte for byte through seal and open`, () => {
      const input = fixture(name);
      const sealed = sealDocument(jsonStore, input);
      assert.notEqual(text(sealed), text(input));
      JSON.parse(text(sealed));
      assert.equal(text(openDocument(jsonStore, sealed)), text(input));
    });
  }

  it("writes ENC strings in place and leaves unencrypted values as written", () => {
    const sealed = text(sealDocument(jsonStore, fixture("basic.json")));
    assert.match(sealed, /\n {4}"port": "ENC\[AES256_GCM,data:[^"]+,type:int\]",\n/);
    assert.match(sealed, /"ratio": "ENC\[[^"]+type:float\]"/);
    assert.match(sealed, /"enabled": "ENC\[[^"]+type:bool\]"/);
    assert.match(sealed, /"replica": null/);
    assert.match(sealed, /"empty": "",/);
    assert.match(sealed, /"debug_unencrypted": false,/);
    assert.match(sealed, /"settings_unencrypted": \{"retries": 3, "backoff": 1.50\},/);
  });

  it("appends the sops block as the last member, indented with the file's own unit", () => {
    const twoSpaces = text(sealDocument(jsonStore, fixture("basic.json")));
    assert.match(
      twoSpaces,
      /"disabled": "ENC\[[^"]+\]",\n {2}"sops": \{\n {4}"age": \[\n {6}\{\n {8}"enc": "-----BEGIN AGE ENCRYPTED FILE-----\\nplaceholder\\n/,
    );
    assert.match(twoSpaces, /\n {4}"version": "3\.\d+\.\d+"\n {2}\}\n\}\n$/);
    const tabs = text(sealDocument(jsonStore, fixture("tabs.json")));
    assert.match(tabs, /"public_unencrypted": "hello",\n\t"sops": \{\n\t\t"age": \[\n\t\t\t\{\n/);
    assert.match(tabs, /\n\t\t"unencrypted_suffix": "_unencrypted",\n\t\t"version": "[^"]+"\n\t\}\n\}\n$/);
    const metadata = jsonStore.parse(bytes(tabs)).metadata as Record<string, unknown>;
    assert.deepEqual(Object.keys(metadata), ["age", "kmseal_manifest", "lastmodified", "mac", "unencrypted_suffix", "version"]);
  });

  it("lays out the block with tabs for a one-line file and restores every layout exactly", () => {
    const sealed = text(sealDocument(jsonStore, bytes('{"a": "x"}')));
    assert.match(sealed, /^\{"a": "ENC\[[^"]+\]",\n\t"sops": \{\n\t\t"age": \[\n\t\t\t\{\n[\s\S]*\n\t\}\}$/);
    for (const input of ["{}", "{\n}\n", '{"a": "x"}', ' { "a" : 1 ,"b":[ 2 ] }  \n', '{\r\n  "a": 1\r\n}\r\n', '{\n    "nested": {"k": true}\n}']) {
      const round = sealDocument(jsonStore, bytes(input));
      JSON.parse(text(round));
      assert.equal(text(openDocument(jsonStore, round)), input, JSON.stringify(input));
    }
  });

  it("replaces the metadata of a sealed file and keeps every value as it was", () => {
    const sealed = text(sealDocument(jsonStore, fixture("basic.json")));
    const doc = jsonStore.parse(bytes(sealed));
    const again = text(doc.render([], { ...(doc.metadata as PlainObject), version: "9.9.9" }));
    assert.equal(again, sealed.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
  });

  it("uses the file's CRLF line breaks for the block", () => {
    const sealed = text(sealDocument(jsonStore, bytes('{\r\n  "a": 1\r\n}\r\n')));
    assert.match(sealed, /,\r\n {2}"sops": \{\r\n {4}"age": \[\r\n/);
    assert.doesNotMatch(sealed.replaceAll("\r\n", ""), /\n/);
  });

  it("reads the top-level sops member as metadata, not as values, wherever it sits", () => {
    const doc = jsonStore.parse(bytes('{"sops": {"version": "3.13.3", "age": []}, "a": {"sops": 1}}'));
    assert.deepEqual(doc.metadata, { version: "3.13.3", age: [] });
    assert.deepEqual(
      doc.leaves.map((l) => l.path),
      [["a", "sops"]],
    );
    assert.equal(text(doc.render([], null)), '{"a": {"sops": 1}}');
    assert.equal(
      text(doc.render([{ kind: "enc", text: "ENC[x]" }], { version: "3.13.3" })),
      '{"a": {"sops": "ENC[x]"},\n\t"sops": {\n\t\t"version": "3.13.3"\n\t}}',
    );
  });

  it("writes decrypted values natively, keeping the original spelling of numbers", () => {
    const doc = jsonStore.parse(bytes('{"s": 0, "i": 0, "f": 0, "b": 0, "n": 0, "y": 0}'));
    const out = doc.render(
      [
        { kind: "plain", value: scalar("str", 'é "q" \\ \n\u0007') },
        { kind: "plain", value: scalar("int", "+12") },
        { kind: "plain", value: scalar("float", "1.50") },
        { kind: "plain", value: scalar("bool", "False") },
        undefined,
        { kind: "plain", value: scalar("float", ".5") },
      ],
      null,
    );
    assert.equal(text(out), '{"s": "é \\"q\\" \\\\ \\n\\u0007", "i": 12, "f": 1.50, "b": false, "n": 0, "y": 0.5}');
  });

  it("spells decrypted strings as JSON.stringify does, so other escape spellings come back normalised", () => {
    const input = '{"a": "caf\\u00e9 \\/ \\u001F", "caf\\u00e9 key": "x"}';
    const out = text(openDocument(jsonStore, sealDocument(jsonStore, bytes(input))));
    assert.equal(out, '{"a": "café / \\u001f", "caf\\u00e9 key": "x"}');
  });

  it("rejects a top level that is not an object", () => {
    for (const input of ["[1, 2]", '"text"', "42", "null"]) {
      assert.throws(
        () => jsonStore.parse(bytes(input)),
        (err) => err instanceof FormatError && /top level .* must be an object/.test(err.message) && err.line === 1,
      );
    }
  });

  it("reports malformed JSON with a 1-based line and column and never echoes the text", () => {
    const cases: [string, number, number][] = [
      ['{\n  "password": "hunter2" "x"\n}', 2, 25],
      ['{\n  "password": "hunter2\n"}', 2, 23],
      ['{"a": 01}', 1, 8],
      ['{"a": tru}', 1, 7],
      ['{"a": "\\q"}', 1, 8],
      ['{"a": 1,}', 1, 9],
      ['{"a": 1} {"b": 2}', 1, 10],
      ['{"a": [1, 2', 1, 12],
      ["", 1, 1],
    ];
    for (const [input, line, column] of cases) {
      assert.throws(
        () => jsonStore.parse(bytes(input)),
        (err) => err instanceof FormatError && err.line === line && err.column === column && !err.message.includes("hunter2"),
        JSON.stringify(input),
      );
    }
  });

  it("rejects what sops rejects: numbers beyond float64, a second sops member, a byte order mark, invalid UTF-8", () => {
    assert.throws(() => jsonStore.parse(bytes('{"a": 1e400}')), /out of range/);
    assert.throws(() => jsonStore.parse(bytes('{"sops": {}, "sops": {}}')), /second "sops"/);
    assert.throws(() => jsonStore.parse(bytes('{"sops": "x"}')), /not an object/);
    assert.throws(() => jsonStore.parse(bytes('\uFEFF{"a": 1}')), /byte order mark/);
    assert.throws(() => jsonStore.parse(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /UTF-8/);
  });
});
