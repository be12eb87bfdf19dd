import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { open } from "../../../src/core/document.js";
import { FormatError } from "../../../src/core/errors.js";
import { metadataFromPlain, type PlainObject } from "../../../src/core/metadata.js";
import { compilePolicy } from "../../../src/core/policy.js";
import { scalar } from "../../../src/core/tree.js";
import { flattenMetadata, unflattenMetadata } from "../../../src/stores/dotenv/metadata.js";
import { dotenvStore } from "../../../src/stores/dotenv/store.js";
import { TEST_DATA_KEY } from "../../helpers/keys.js";
import { bytes, openDocument, sealDocument, text } from "../sealing.js";

const fixture = (path: string): Buffer => readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url));
const mask = (s: string) => s.replace(/ENC\[AES256_GCM,[^\]\r\n]*\]/g, "ENC");

describe("dotenv store", () => {
  it("reads keys and values as the raw text around the first =, as sops does", () => {
    const doc = dotenvStore.parse(fixture("plain/basic.env"));
    const values = doc.leaves.map((l) => [l.kind, l.path.join("."), text(l.value.bytes)]);
    assert.deepEqual(values.slice(0, 8), [
      ["comment", "", " Application settings"],
      ["value", "export APP_ENV", "production"],
      ["value", "DB_USER", "'admin'"],
      ["value", "DB_PASSWORD", '"p@ss#word"'],
      ["value", "SINGLE_QUOTED", "'# not a comment'"],
      ["value", "API_URL", "https://example.com/api?a=1&b=2 # the public endpoint"],
      ["value", "EMPTY", ""],
      ["value", "GREETING", "héllo wörld"],
    ]);
    assert.deepEqual(values.slice(9), [
      ["value", "ESCAPED_NEWLINES", '"first\\nsecond"'],
      ["value", "SPACED_KEY ", " value with spaces   "],
      ["value", "EQUALS_IN_VALUE", "a=b=c"],
      ["value", "LOG_LEVEL_unencrypted", "debug"],
      ["comment", "", "trailing comment without a space"],
    ]);
    assert.ok(doc.leaves.every((l) => l.value.type === (l.kind === "comment" ? "comment" : "str")));
    assert.equal(doc.metadata, null);
  });

  it("reads a double-quoted value that closes on a later line as one value with real newlines", () => {
    const leaves = dotenvStore.parse(fixture("plain/multiline.env")).leaves.filter((l) => l.kind === "value");
    assert.deepEqual(
      leaves.map((l) => [l.path[0], text(l.value.bytes)]),
      [
        ["export SERVICE", "billing"],
        ["PRIVATE_KEY", '"-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END TEST KEY-----"'],
        ["MOTD", '"Welcome, \\"operator\\"!\n  indented line # not a comment\nlast line" # a trailing comment'],
        ["AFTER", "still a normal line"],
      ],
    );
  });

  for (const name of ["basic.env", "crlf.env", "multiline.env"]) {
    it(`round-trips ${name} byte for byte through seal and open`, () => {
      const input = fixture(`plain/${name}`);
      const sealed = sealDocument(dotenvStore, input);
      assert.equal(openDocument(dotenvStore, sealed).toString(), input.toString());
    });
  }

  it("seals every value on one KEY=ENC[...] line, keeps blank lines, and appends the flattened metadata", () => {
    const sealed = text(sealDocument(dotenvStore, fixture("plain/multiline.env")));
    const lines = mask(sealed).split("\n");
    assert.deepEqual(lines.slice(0, 10), [
      "#ENC",
      "#ENC",
      "#ENC",
      "export SERVICE=ENC",
      "PRIVATE_KEY=ENC",
      "",
      "MOTD=ENC",
      "AFTER=ENC",
      "sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\nplaceholder\\n-----END AGE ENCRYPTED FILE-----\\n",
      "sops_age__list_0__map_recipient=age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh",
    ]);
    assert.deepEqual(
      lines.slice(10).map((l) => l.split("=")[0]),
      ["sops_kmseal_manifest", "sops_lastmodified", "sops_mac", "sops_unencrypted_suffix", "sops_version", ""],
    );
    assert.deepEqual(
      dotenvStore.parse(bytes(sealed)).leaves.map((l) => l.path.join(".")),
      ["", "", "", "export SERVICE", "PRIVATE_KEY", "MOTD", "AFTER"],
    );
  });

  it("replaces the metadata of a sealed file and keeps every data line as it was", () => {
    const sealed = text(sealDocument(dotenvStore, fixture("plain/basic.env")));
    const doc = dotenvStore.parse(bytes(sealed));
    const meta = { ...(doc.metadata as PlainObject), version: "9.9.9" };
    const again = text(doc.render([], meta));
    assert.equal(again, sealed.replace(/sops_version=.*\n$/, "sops_version=9.9.9\n"));
  });

  it("keeps a CRLF file's \\r inside values and comments, as sops does, and never on a metadata line", () => {
    const input = fixture("plain/crlf.env");
    const leaves = dotenvStore.parse(input).leaves;
    assert.deepEqual(
      leaves.map((l) => text(l.value.bytes)),
      [" CRLF file\r", "demo\r", '"two words"\r', "\r", "fast\r", "last\r"],
    );
    const sealed = text(sealDocument(dotenvStore, input));
    assert.match(sealed, /^#ENC\[[^\r\n]*\]\nexport NAME=ENC\[[^\r\n]*\]\n/);
    assert.match(sealed, /\nMODE_unencrypted=fast\r\n#ENC/);
    assert.doesNotMatch(sealed.slice(sealed.indexOf("sops_")), /\r/);
  });

  it("gives blank lines of a CRLF file back their \\r, though the sealed file (which sops must read) has none", () => {
    const input = 'A=1\r\n\r\n# c\r\nB="x\r\ny"\r\n\r\n';
    const sealed = sealDocument(dotenvStore, bytes(input));
    assert.doesNotMatch(text(sealed), /\n\r?\n\r?\n|\n\r\n/);
    assert.equal(text(openDocument(dotenvStore, sealed)), input);
  });

  it("round-trips files without a final newline, empty files and blank-only files", () => {
    for (const input of ["A=1", "", "\n", "\n\n", "# only a comment", "A=1\n\nB=2", 'M="a\nb"']) {
      const sealed = sealDocument(dotenvStore, bytes(input));
      assert.equal(text(openDocument(dotenvStore, sealed)), input, JSON.stringify(input));
    }
    assert.match(text(sealDocument(dotenvStore, bytes("A=1"))), /\nsops_version=[0-9.]+$/);
  });

  it("decrypts the sops-format.md §12.2 vector, MAC included", () => {
    const doc = dotenvStore.parse(fixture("sealed/sops-vector.enc.env"));
    const meta = metadataFromPlain(doc.metadata);
    assert.equal(meta.version, "3.13.2");
    assert.equal(meta.lastmodified, "2026-11-29T15:38:24Z");
    const opened = open(doc.leaves, meta, TEST_DATA_KEY, compilePolicy(meta.rule));
    assert.equal(text(opened.values[3]!.bytes), "hello\nworld");
    assert.equal(
      text(doc.render(opened.edits, null)),
      "# comment line\nDB_USER=admin\nDB_PASSWORD=s3cr3t\nGREETING=hello\\nworld\nLOG_LEVEL_unencrypted=debug\n",
    );
  });

  it("reads sops's \\n escapes in an unencrypted value of a sealed file as newlines and writes them back escaped", () => {
    const sealed = text(sealDocument(dotenvStore, bytes("A=1\nNOTE_unencrypted=plain\n")));
    const sopsStyle = sealed.replace("NOTE_unencrypted=plain", "NOTE_unencrypted=one\\ntwo");
    const doc = dotenvStore.parse(bytes(sopsStyle));
    assert.equal(text(doc.leaves[1]!.value.bytes), "one\ntwo");
    const lines = text(doc.render([], null)).split("\n");
    assert.match(lines[0]!, /^A=ENC\[/);
    assert.deepEqual(lines.slice(1), ["NOTE_unencrypted=one\\ntwo", ""]);
  });

  it("escapes an unencrypted multi-line value in the sealed file and restores its real newlines", () => {
    const input = 'KEEP_unencrypted="a\nb"\nX=1\n';
    const sealed = text(sealDocument(dotenvStore, bytes(input)));
    assert.match(sealed, /^KEEP_unencrypted="a\\nb"\nX=ENC/);
    assert.equal(text(openDocument(dotenvStore, bytes(sealed))), input);
  });

  it("refuses to seal an unencrypted value holding a literal \\n, whose MAC sops would compute differently", () => {
    assert.throws(
      () => sealDocument(dotenvStore, bytes("A=1\nRAW_unencrypted=x\\ny\n")),
      (err) => err instanceof FormatError && err.line === 2 && /RAW_unencrypted/.test(err.message) && !err.message.includes("x\\ny"),
    );
    assert.equal(text(openDocument(dotenvStore, sealDocument(dotenvStore, bytes("RAW=x\\ny\n")))), "RAW=x\\ny\n");
  });

  it("writes a decrypted value with a newline escaped, unless it has the shape of a multi-line quoted value", () => {
    const doc = dotenvStore.parse(bytes("A=\nB=\nC=\nD=\n"));
    const plain = (s: string) => ({ kind: "plain" as const, value: scalar("str", s) });
    const out = doc.render([plain('"x\ny"'), plain('"x"\ny'), plain("x\ny"), { kind: "plain", value: scalar("bool", "True") }], null);
    assert.equal(text(out), 'A="x\ny"\nB="x"\\ny\nC=x\\ny\nD=true\n');
  });

  it("reads an indented # line as a comment, which loses its indentation once sealed", () => {
    const input = "  # indented\nA=1\n";
    assert.equal(text(dotenvStore.parse(bytes(input)).render([], null)), input);
    const sealed = sealDocument(dotenvStore, bytes(input));
    assert.equal(text(openDocument(dotenvStore, sealed)), "# indented\nA=1\n");
  });

  it("rejects a line that is not KEY=value, a comment or blank, with its line and column", () => {
    assert.throws(
      () => dotenvStore.parse(bytes("A=1\n\n  secret-without-equals\n")),
      (err) => err instanceof FormatError && err.line === 3 && err.column === 3 && !err.message.includes("secret"),
    );
  });

  it("reserves the sops_ prefix: a plaintext file may hold it but cannot be sealed", () => {
    const doc = dotenvStore.parse(bytes("A=1\nsops_token=abc\n"));
    assert.equal(doc.metadata, null);
    assert.throws(
      () => sealDocument(dotenvStore, bytes("A=1\nsops_token=abc\n")),
      (err) => err instanceof FormatError && err.line === 2 && /sops_token/.test(err.message),
    );
  });
});

describe("dotenv metadata flattening", () => {
  const meta: PlainObject = {
    age: [{ enc: "-----BEGIN-----\nabc\n-----END-----\n", recipient: "age1x" }],
    kms: [
      {
        arn: "arn:aws:kms:eu-west-1:000000000000:key/k",
        aws_profile: "",
        context: { app: "demo", file: "a/b.env" },
        created_at: "2026-01-01T00:00:00Z",
        enc: "Zm9v",
      },
    ],
    lastmodified: "2026-01-01T00:00:00Z",
    mac: "ENC[x]",
    mac_only_encrypted: true,
    unencrypted_suffix: "_unencrypted",
    version: "3.13.3",
  };

  it("flattens depth-first in the given order with __map_ and __list_ levels", () => {
    assert.deepEqual(
      flattenMetadata(meta).map(([k]) => k),
      [
        "sops_age__list_0__map_enc",
        "sops_age__list_0__map_recipient",
        "sops_kms__list_0__map_arn",
        "sops_kms__list_0__map_aws_profile",
        "sops_kms__list_0__map_context__map_app",
        "sops_kms__list_0__map_context__map_file",
        "sops_kms__list_0__map_created_at",
        "sops_kms__list_0__map_enc",
        "sops_lastmodified",
        "sops_mac",
        "sops_mac_only_encrypted",
        "sops_unencrypted_suffix",
        "sops_version",
      ],
    );
  });

  it("unflattens back to the same block (values as strings, as sops reads them)", () => {
    const back = unflattenMetadata(flattenMetadata(meta).reverse());
    assert.deepEqual(back, { ...meta, mac_only_encrypted: "true" });
    assert.equal(metadataFromPlain(back).macOnlyEncrypted, true);
  });

  it("rejects lists with gaps and keys that are both a value and a collection", () => {
    assert.throws(() => unflattenMetadata([["sops_age__list_1__map_enc", "x"]]), /0, 1, 2/);
    assert.throws(
      () =>
        unflattenMetadata([
          ["sops_age", "x"],
          ["sops_age__list_0", "y"],
        ]),
      /both a value and a collection/,
    );
    assert.throws(
      () =>
        unflattenMetadata([
          ["sops_mac", "x"],
          ["sops_mac", "y"],
        ]),
      /twice/,
    );
  });
});
