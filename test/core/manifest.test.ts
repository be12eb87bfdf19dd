/** The kmseal manifest as docs/sops-format.md §14 specifies it, with its test vector. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkManifest, manifestAad, manifestBody, openManifest, sealManifest } from "../../src/core/manifest.js";
import { MacMismatchError } from "../../src/core/errors.js";
import { yamlStore } from "../../src/stores/yaml/store.js";
import { TEST_DATA_KEY } from "../helpers/keys.js";

const RULE = { kind: "unencrypted_suffix", value: "_unencrypted" } as const;
const MAC = "ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]";
const STAMP = "2026-12-02T08:00:00Z";
const IV = Buffer.alloc(32, 7);
const PLAIN = 'mode: 0755\npassword: ""\nport: 5432\n';
const BODY =
  '{"v":1,"n":3,"s":"4KPY9KdheiQ1whaLHDkv8sKQ0kMetVFXgnoWXCQyOLE=","r":["unencrypted_suffix","_unencrypted",false],"t":{"0":"int","1":"empty","2":"int"},"x":{"0":"0755"}}';
const SEALED =
  "ENC[AES256_GCM,data:QNkbRKgoJZvu9t2WVABeAuLt/Jv6Mmj0xlswwYht/BhNlh44ntHW0efrcB1FXijntVosaZxBQf5x/809XH6uuu4c9rHMHmKhIXpOD5NgKduhLcot4pdx7L6wRXqYLzkjLEQZYxIgeEjC44rzmO1n6z0qm55AUaCE/83cJQ6+sjnUZCt1PB6G8OLZatiISDtJFMtkSA0Iob+Vp2GH37H68j/aM/DLNGA=,iv:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=,tag:moM9XcKOZk3tEagBgWjh2w==,type:str]";

function leavesOf(text: string) {
  const doc = yamlStore.parse(Buffer.from(text));
  return { leaves: doc.leaves, values: doc.leaves.map((l) => l.value) };
}

describe("kmseal manifest", () => {
  it("digests the structure as the spec says: shape, path length, then each length-prefixed key", () => {
    const h = createHash("sha256");
    const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    for (const [shape, key] of [
      ["int", "mode"],
      ["empty", "password"],
      ["int", "port"],
    ] as const) {
      h.update(shape + "\n");
      h.update(u32(1));
      h.update(u32(Buffer.byteLength(key)));
      h.update(key);
    }
    const { leaves, values } = leavesOf(PLAIN);
    assert.equal(manifestBody(leaves, values, RULE, false).s, h.digest("base64"));
  });

  it("matches the test vector in docs/sops-format.md", () => {
    const { leaves, values } = leavesOf(PLAIN);
    const body = manifestBody(leaves, values, RULE, false, { "0": "0755" });
    assert.equal(JSON.stringify(body), BODY);
    assert.equal(sealManifest(body, MAC, STAMP, TEST_DATA_KEY, IV), SEALED);
    assert.equal(manifestAad(MAC, STAMP), `kmseal-manifest:v1\u0000${MAC}\u0000${STAMP}`);
    assert.deepEqual(openManifest(SEALED, MAC, STAMP, TEST_DATA_KEY), body);
  });

  it("opens only next to the mac and lastmodified it was sealed with", () => {
    assert.throws(() => openManifest(SEALED, MAC, "2026-12-02T08:00:01Z", TEST_DATA_KEY), MacMismatchError);
    assert.throws(() => openManifest(SEALED, MAC.replace("AAAA", "AAAB"), STAMP, TEST_DATA_KEY), MacMismatchError);
    assert.throws(() => openManifest(42, MAC, STAMP, TEST_DATA_KEY), MacMismatchError);
  });

  it("names the key path of a value whose shape changed, and catches renamed keys by the digest", () => {
    const { leaves, values } = leavesOf(PLAIN);
    const body = manifestBody(leaves, values, RULE, false);
    checkManifest(body, leaves, values, RULE, false);
    const typed = leavesOf('mode: 0755\npassword: ""\nport: "5432"\n');
    assert.throws(
      () => {
        checkManifest(body, typed.leaves, typed.values, RULE, false);
      },
      (e: MacMismatchError) => e.keyPath === "port" && /a string value where the file's manifest has an int value/.test(e.reason),
    );
    const renamed = leavesOf('mode: 0755\npasswd: ""\nport: 5432\n');
    assert.throws(() => {
      checkManifest(body, renamed.leaves, renamed.values, RULE, false);
    }, /renamed, moved or duplicated/);
    assert.throws(() => {
      checkManifest(body, leaves, values, { kind: "encrypted_regex", value: "^x" }, false);
    }, /crypt rule/);
    assert.throws(() => {
      checkManifest(body, leaves, values, RULE, true);
    }, /mac_only_encrypted/);
  });
});
