import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { open } from "../../../src/core/document.js";
import { FormatError } from "../../../src/core/errors.js";
import { metadataFromPlain } from "../../../src/core/metadata.js";
import { MacBuilder } from "../../../src/core/mac.js";
import { compilePolicy } from "../../../src/core/policy.js";
import { yamlStore } from "../../../src/stores/yaml/store.js";
import { TEST_DATA_KEY } from "../../helpers/keys.js";
import { bytes, openDocument, sealDocument, text } from "../sealing.js";

const fixture = (path: string): Buffer => readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url));
const mask = (s: string) => s.replace(/ENC\[AES256_GCM,[^\]\r\n]*\]/g, "ENC");
const roundTrip = (input: string) => text(openDocument(yamlStore, sealDocument(yamlStore, bytes(input))));
const leaves = (input: string) =>
  yamlStore.parse(bytes(input)).leaves.map((l) => `${l.kind === "comment" ? "#" : l.value.type} ${l.path.join(".")}=${text(l.value.bytes)}`);

describe("yaml store", () => {
  it("seals and opens basic.yaml as sops reads it: a plain date is sealed as the time sops encrypts (the manifest keeps the spelling)", () => {
    const input = fixture("plain/basic.yaml");
    const sealed = sealDocument(yamlStore, input);
    assert.match(text(sealed), /date: ENC\[[^\]]*type:time\]/);
    assert.equal(text(openDocument(yamlStore, sealed)), text(input).replace("  date: 2024-05-01\n", "  date: 2024-05-01T00:00:00Z\n"));
  });

  for (const name of ["comments.yaml", "multi.yaml"]) {
    it(`seals and opens ${name} back to exactly the same bytes`, () => {
      const input = fixture(`plain/${name}`);
      const sealed = sealDocument(yamlStore, input);
      assert.notEqual(text(sealed), text(input));
      assert.equal(text(openDocument(yamlStore, sealed)), text(input));
    });
  }

  it("seals and opens blocks.yaml (literal and folded blocks) back to exactly the same bytes", () => {
    const input = text(fixture("plain/blocks.yaml"));
    assert.equal(roundTrip(input), input);
  });

  it("gives back folded text whose lines were wrapped as the same value, one line per paragraph", () => {
    const input = "note: >\n  this folded text\n  is one line\n\n  and a second\n  paragraph\nnext: 1\n";
    const back = roundTrip(input);
    assert.equal(back, "note: >\n  this folded text is one line\n\n  and a second paragraph\nnext: 1\n");
    assert.deepEqual(leaves(back), leaves(input));
  });

  it("round-trips aliases.yaml as data: aliases come back expanded in flow style", () => {
    const input = text(fixture("plain/aliases.yaml"));
    const back = roundTrip(input);
    assert.deepEqual(leaves(back), leaves(input));
    assert.match(back, /^ {2}<<: \{adapter: postgres, host: localhost, pool: 5\}$/m);
    assert.match(back, /^again: hunter2$/m);
    assert.match(back, /^password: &pw hunter2$/m);
  });

  it("writes encrypted values in the leaf's style and comments as #ENC", () => {
    const sealed = mask(
      text(sealDocument(yamlStore, bytes("# top\na: x # c\nb: 'y'\nc: \"z\"\nd: |\n  l1\n  l2\ne: [p, 'q', \"r\"]\nf:\n  - s\n  # in list\n"))),
    );
    assert.equal(
      sealed.slice(0, sealed.indexOf("sops:")),
      "#ENC\na: ENC #ENC\nb: 'ENC'\nc: \"ENC\"\nd: |-\n  ENC\ne: ['ENC', 'ENC', \"ENC\"]\nf:\n  - ENC\n  #ENC\n",
    );
  });

  it("lays out the sops block as sops 3.13 does, as the last key of every document", () => {
    const sealed = text(sealDocument(yamlStore, bytes("a: 1\n---\nb: 2\n")));
    const block =
      /sops:\n {4}age:\n {8}- enc: \|\n {12}-----BEGIN AGE ENCRYPTED FILE-----\n {12}placeholder\n {12}-----END AGE ENCRYPTED FILE-----\n {10}recipient: age1\w+\n {4}kmseal_manifest: ENC\[[^\]]+\]\n {4}lastmodified: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n {4}mac: ENC\[[^\]]+\]\n {4}unencrypted_suffix: _unencrypted\n {4}version: \d+\.\d+\.\d+\n/;
    const docs = sealed.split(/^---\n/m);
    assert.equal(docs.length, 2);
    for (const doc of docs) assert.match(doc, new RegExp("^[a-z]: ENC\\[[^\\]]+\\]\\n" + block.source + "$"));
    assert.deepEqual(
      yamlStore.parse(bytes(sealed)).leaves.map((l) => l.path.join(".")),
      ["a", "b"],
    );
  });

  it("reads the sops block as plain data and keeps it out of the leaves", () => {
    const doc = yamlStore.parse(bytes(text(sealDocument(yamlStore, bytes("a: 1\n")))));
    const meta = metadataFromPlain(doc.metadata);
    assert.equal(meta.keys[0]!.type, "age");
    assert.equal(meta.rule.value, "_unencrypted");
    assert.equal(doc.leaves.length, 1);
    assert.equal(yamlStore.parse(bytes("a: 1\n")).metadata, null);
  });

  it("decrypts the sops-format.md §12.1 vector, MAC included", () => {
    const doc = yamlStore.parse(fixture("sealed/sops-vector.enc.yaml"));
    const meta = metadataFromPlain(doc.metadata);
    assert.equal(meta.lastmodified, "2026-11-29T15:38:24Z");
    const opened = open(doc.leaves, meta, TEST_DATA_KEY, compilePolicy(meta.rule));
    assert.deepEqual(
      opened.values.map((v) => `${v.type}:${text(v.bytes)}`),
      ["comment: database settings", "str:admin", "str:s3cr3t", "int:5432", "bool:true", "str:alpha", "str:beta", "bool:False", "float:0.5"],
    );
    assert.equal(
      text(doc.render(opened.edits, null)),
      "# database settings\ndb:\n    user: admin\n    password: s3cr3t\n    port: 5432\n    debug_unencrypted: true\ntags:\n    - alpha\n    - beta\nenabled: false\nratio: 0.5\n",
    );
  });

  it("types scalars with go-yaml v3 rules on their text", () => {
    const input =
      "a: 0x1F\nb: 012\nc: 0o17\nd: 0b101\ne: +5\nf: 1_000\ng: 08\nh: 1e3\ni: .inf\nj: -.Inf\nk: .NaN\nl: True\nm: yes\nn: ~\no: 2024-05-01\np: '5'\nq: !!str 5\nr: !!float 5\ns: !!int \"7\"\nt: 1e999\nu: !custom 3\n";
    assert.deepEqual(leaves(input), [
      "int a=31",
      "int b=10",
      "int c=15",
      "int d=5",
      "int e=+5",
      "int f=1000",
      "float g=08",
      "float h=1e3",
      "float i=+Inf",
      "float j=-Inf",
      "float k=NaN",
      "bool l=True",
      "str m=yes",
      "null n=",
      "str o=2024-05-01",
      "str p=5",
      "str q=5",
      "float r=5",
      "int s=7",
      "str t=1e999",
      "int u=3",
    ]);
    assert.equal(yamlStore.parse(bytes("o: 2024-05-01\n")).leaves[0]!.unencryptedMac?.toString(), [...Buffer.from("2024-05-01T00:00:00Z")].toString());
  });

  it("hashes an unencrypted timestamp as sops does (Go's time text), an encrypted one as the string it is", () => {
    const hex = (input: string, path: string) => {
      const mac = new MacBuilder(compilePolicy(), false);
      for (const leaf of yamlStore.parse(bytes(input)).leaves) if (leaf.path.join(".") === path) mac.add(leaf, leaf.value);
      return mac.hex();
    };
    assert.equal(hex("at_unencrypted: 2024-05-01\n", "at_unencrypted"), hex("at_unencrypted: 2024-05-01T00:00:00Z\n", "at_unencrypted"));
    assert.equal(hex("at: 2024-05-01\n", "at"), hex('at: "2024-05-01"\n', "at"));
  });

  it("writes decrypted values natively, canonicalising spellings sops cannot keep", () => {
    assert.equal(
      roundTrip('a: 0x1F\nb: True\nc: .NaN\nd: +.inf\ne: !!float 5\nf: yes\ng: !!int "7"\nh: 1_000.5\n'),
      'a: 31\nb: true\nc: .nan\nd: .inf\ne: 5.0\nf: "yes"\ng: 7\nh: 1000.5\n',
    );
  });

  it("keeps comments with the collection that holds them (their AAD path)", () => {
    const input =
      "# top\na:\n  # head of a\n  b: 1 # inline\n  c:\n    d: 2\n    # foot of c\n  # foot of a\n# before e\ne:\n- x # in seq\n# col 0 after seq\nf: {g: 1, # in flow\n  h: 2}\n";
    assert.deepEqual(
      leaves(input).filter((l) => l.startsWith("#")),
      ["# = top", "# a= head of a", "# a= inline", "# a.c= foot of c", "# a= foot of a", "# = before e", "# e= in seq", "# = col 0 after seq", "# f= in flow"],
    );
    assert.equal(roundTrip(input), input);
  });

  it("gives comments the paths sops 3.13.3 computes for them (verified with the real binary)", () => {
    // The document's end counts as a top-level key, because the sops key follows there once sealed.
    const cases: [string, string[]][] = [
      ["seq:\n- a\n# c\nzzz: 1\n", [""]],
      ["db:\n# c\n  user: x\n", ["db"]],
      ["db:\n      # c\n  user: x\n", ["db"]],
      ["x:\n  y:\n    z: 1\n  # c\nzzz: 1\n", ["x.y"]],
      ["x:\n  y:\n    z: 1\n  # c\n  w: 1\n", ["x"]],
      ["x:\n  y:\n    z: 1\n    # c\n  w: 1\n", ["x.y"]],
      ["a:\n  b:\n    c: 1\n\n# c\n  d: 2\n", ["a.b"]],
      ["a:\n  b: 1\n# c\n  # c\nzzz: 1\n", ["", ""]],
      ["l:\n- a\n  # c\n", [""]],
      ["k:\n  - name: x\n    sub:\n      - 1\n      # c\n    # c\n  # c\n# c\nzzz: 1\n", ["k.sub", "k", "", ""]],
      ["b:\n  d: [1, 2] # c\n", ["b.d"]],
    ];
    for (const [input, paths] of cases) {
      assert.deepEqual(
        leaves(input)
          .filter((l) => l.startsWith("#"))
          .map((l) => l.slice(2, l.indexOf("="))),
        paths,
        JSON.stringify(input),
      );
    }
  });

  it("turns a sops-style sequence element `- ENC[...,type:comment]` back into a comment line", () => {
    const sealed = text(sealDocument(yamlStore, bytes("list:\n  - a\n  # note\n  - b\n")));
    const sopsStyle = sealed.replace(/\n {2}#(ENC\[[^\]]+\])\n/, "\n  - $1\n");
    assert.notEqual(sopsStyle, sealed);
    assert.equal(text(openDocument(yamlStore, bytes(sopsStyle))), "list:\n  - a\n  # note\n  - b\n");
  });

  it("round-trips edge layouts: CRLF, BOM, indented root, no final newline, empty and comment-only files", () => {
    for (const input of [
      "a: 1\r\nb: |\r\n  x\r\n  y\r\n# c\r\n",
      "\ufeffa: 1\n",
      "  a: 1\n  b:\n    c: 2\n",
      "",
      "# only\n",
      "---\n---\na: 1\n",
      "a: 1\n...\n",
      "k: !!str 123\n",
      'x: [a, "b c", {d: e}]\n',
    ]) {
      assert.equal(roundTrip(input), input, JSON.stringify(input));
    }
    assert.equal(roundTrip("a: 1"), "a: 1\n", "a final newline is added before the sops block");
    assert.equal(
      roundTrip("x: ['b c', 'yes']\n"),
      "x: [b c, 'yes']\n",
      "single quotes in flow context mark plain ENC values, so they come back plain where safe",
    );
  });

  it("keeps comments that sat before the sops block and drops comments inside it", () => {
    const sealed = text(sealDocument(yamlStore, bytes("a: 1\n")));
    const edited = sealed.replace("sops:\n", "# kept\nsops:\n    # dropped\n");
    assert.equal(text(openDocument(yamlStore, bytes(edited))), "a: 1\n# kept\n");
  });

  const errors: [string, string, number, RegExp][] = [
    ["a top-level sequence", "# c\n- a\n", 2, /top level/],
    ["a top-level scalar", "just text\n", 1, /top level/],
    ["a top-level flow mapping", "{a: 1}\n", 1, /top level/],
    ["an int key", "a: 1\n1: x\n", 2, /non-string key \(int\)/],
    ["a bool key", "ok: 1\nsub:\n  true: x\n", 3, /non-string key \(bool\)/],
    ["a null key", "a: 1\n: x\n", 2, /non-string key|empty/],
    ["a float key", "a:\n  b:\n    1.5: x\n", 3, /non-string key \(float\)/],
    ["a timestamp key", "2024-01-01: x\n", 1, /non-string key \(timestamp\)/],
    ["a duplicate key", "a: 1\nb:\n  c: 1\n  c: 2\n", 4, /duplicate key/],
    ["a duplicate key in a later document", "a: 1\n---\nb: 1\nb: 2\n", 4, /duplicate key/],
    ["a duplicate field in the sops block", "a: 1\nsops:\n    mac: x\n    version: 3.13.3\n    mac: y\n", 5, /duplicate key in the sops metadata/],
    ["a uint64 value", "a: 1\nbig: 18446744073709551615\n", 2, /2\^63/],
    ["a tag that does not fit", "a: !!int abc\n", 1, /!!int tag/],
    ["bad indentation", "a:\n  b: 1\n c: 2\n", 3, /invalid YAML/],
    ["a tab as indentation", "a: 1\nb:\n\t- secret-value\n", 3, /invalid YAML \(tab as indent\)/],
    ["an unclosed quote (where the parser notices it)", 'a: 1\nb: "secret-value\n', 3, /invalid YAML \(missing char\)/],
  ];
  for (const [what, input, line, message] of errors) {
    it(`rejects ${what} with a FormatError at line ${line}`, () => {
      assert.throws(
        () => yamlStore.parse(bytes(input)),
        (err: unknown) => err instanceof FormatError && err.line === line && message.test(err.message) && !err.message.includes("secret"),
      );
    });
  }

  it("rejects input that is not UTF-8", () => {
    assert.throws(() => yamlStore.parse(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a])), FormatError);
  });

  describe("large documents", () => {
    // Timing lives in the benchmark suite (npm run bench), not in unit tests.
    it("round-trips a 10,000-value (1 MB) document exactly", () => {
      let input = "";
      for (let i = 0; i < 10_000; i++) input += `key_${i}: "secret number ${i} padded with some text to reach a megabyte in all ${"x".repeat(40)}"\n`;
      const plain = bytes(input);
      assert.ok(plain.length > 1_000_000);
      assert.equal(text(openDocument(yamlStore, sealDocument(yamlStore, plain))), text(plain));
    });
  });
});
