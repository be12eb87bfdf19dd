import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { emitSops } from "../../../src/stores/yaml/metadata.js";

describe("yaml sops block", () => {
  it("lays out age and KMS records as sops-format.md §12.3 shows", () => {
    const meta = {
      age: [{ enc: "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n", recipient: "age1xyz" }],
      kms: [
        {
          arn: "arn:aws:kms:us-east-1:000000000000:key/1111",
          aws_profile: "",
          context: { app: "demo", env: "test" },
          created_at: "2026-11-29T15:38:24Z",
          enc: "AQIC+/=",
          role: "arn:aws:iam::000000000000:role/r",
        },
      ],
      lastmodified: "2026-11-29T15:38:24Z",
      mac: "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
      mac_only_encrypted: true,
      unencrypted_suffix: "_unencrypted",
      version: "3.13.3",
    };
    assert.equal(
      emitSops(meta, 0, "\n"),
      [
        "sops:",
        "    age:",
        "        - enc: |",
        "            -----BEGIN AGE ENCRYPTED FILE-----",
        "            YWdl",
        "            -----END AGE ENCRYPTED FILE-----",
        "          recipient: age1xyz",
        "    kms:",
        "        - arn: arn:aws:kms:us-east-1:000000000000:key/1111",
        '          aws_profile: ""',
        "          context:",
        "            app: demo",
        "            env: test",
        '          created_at: "2026-11-29T15:38:24Z"',
        "          enc: AQIC+/=",
        "          role: arn:aws:iam::000000000000:role/r",
        '    lastmodified: "2026-11-29T15:38:24Z"',
        "    mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
        "    mac_only_encrypted: true",
        "    unencrypted_suffix: _unencrypted",
        "    version: 3.13.3",
        "",
      ].join("\n"),
    );
  });

  it("quotes look-alikes, writes empty collections in flow style and follows the document's indentation and line breaks", () => {
    assert.equal(
      emitSops({ version: "3.10", flag: "yes", list: [], map: {}, n: 2, armor: "x\ny" }, 2, "\r\n"),
      '  sops:\r\n    version: "3.10"\r\n    flag: "yes"\r\n    list: []\r\n    map: {}\r\n    "n": 2\r\n    armor: |-\r\n        x\r\n        y\r\n',
    );
  });
});
