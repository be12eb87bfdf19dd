/**
 * Every age recipient type sops takes is accepted (SSH, plugins), and a malformed one is the
 * user's error: exit 2 naming it, never "internal error … this is a bug" (the symptom issue 16 saw
 * for an ssh-ed25519 recipient). A plugin that is not installed is exit 4 saying which program.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bech32 } from "@scure/base";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

// A valid ssh-ed25519 public key line (the key is the RFC 8032 test vector 1 public key).
const ED_BLOB = Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from("ssh-ed25519"),
  Buffer.from([0, 0, 0, 32]),
  Buffer.from("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "hex"),
]).toString("base64");
const SSH_ED25519 = `ssh-ed25519 ${ED_BLOB} dev@example`;
const pluginRecipient = (name: string) => bech32.encode(`age1${name}`, bech32.toWords(Buffer.from("some plugin data")), false);
const badChecksum = (r: string) => r.slice(0, -1) + (r.endsWith("q") ? "p" : "q");

const BAD = [
  `ssh-ed25519 ${ED_BLOB.slice(0, -8)}`,
  "ssh-ed25519",
  "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
  `ssh-rsa ${ED_BLOB}`,
  "ssh-ed25519 not*base64",
  badChecksum(pluginRecipient("yubikey")),
  "age1UPPERCASE",
];

describe("age recipient names", () => {
  for (const name of BAD) {
    it(`--age "${name.length > 40 ? name.slice(0, 40) + "…" : name}": exit 2 naming it, nothing written`, async () => {
      const dir = testdir({ "a.yaml": "k: v\n" });
      const r = await cli(["encrypt", "--age", name, join(dir, "a.yaml")]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`"${name}"`), r.stderr);
      assert.doesNotMatch(r.stderr, /internal error|this is a bug/);
      assert.equal(existsSync(join(dir, "a.enc.yaml")), false);
    });
  }

  it("a malformed SSH recipient in a .kmsrc rule is exit 2 naming it", async () => {
    const bad = `ssh-ed25519 ${ED_BLOB.slice(0, -8)}`;
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "*.yaml"\n    age: ["${bad}"]\n`, "a.yaml": "k: v\n" });
    const r = await cli(["encrypt", join(dir, "a.yaml")]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`"${bad}" is not an age recipient`), r.stderr);
  });

  it("an ssh-ed25519 recipient (with its comment) seals, from --age and from a .kmsrc rule", async () => {
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "b.yaml"\n    age: ["${SSH_ED25519}"]\n`, "a.yaml": "k: v\n", "b.yaml": "k: v\n" });
    const a = await cli(["encrypt", "--age", SSH_ED25519, join(dir, "a.yaml")]);
    assert.equal(a.code, 0, a.stderr);
    const b = await cli(["encrypt", join(dir, "b.yaml")]);
    assert.equal(b.code, 0, b.stderr);
    for (const f of ["a.enc.yaml", "b.enc.yaml"]) assert.ok(existsSync(join(dir, f)), f);
  });

  it("a plugin recipient whose plugin is not installed: exit 4 naming the program, nothing written", async () => {
    const dir = testdir({ "a.yaml": "k: v\n" });
    const r = await cli(["encrypt", "--age", pluginRecipient("kmsealnosuch"), join(dir, "a.yaml")], { env: { PATH: "/nonexistent-bin" } });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /age-plugin-kmsealnosuch is not installed/);
    assert.doesNotMatch(r.stderr, /internal error|this is a bug/);
    assert.equal(existsSync(join(dir, "a.enc.yaml")), false);
  });
});
