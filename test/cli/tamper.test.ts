import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";

const PLAIN = "db:\n  user: admin\n  password: s3cr3t\ntoken: abc123\nport: 5432\n";

async function sealed(): Promise<{ dir: string; enc: string; text: string }> {
  const dir = testdir({ ".kmsrc": "rules: []\n", "app.yaml": PLAIN });
  const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "app.yaml")]);
  assert.equal(r.code, 0, r.stderr);
  const enc = join(dir, "app.enc.yaml");
  return { dir, enc, text: readFileSync(enc, "utf8") };
}

function valueOf(text: string, key: string): string {
  const m = new RegExp(`^\\s*${key}: (ENC\\[[^\\]]+\\])`, "m").exec(text);
  assert.ok(m, `no ${key} in file`);
  return m[1]!;
}

const cases: [string, (t: string) => string, number][] = [
  ["a value moved to another key", (t) => t.replace(valueOf(t, "token"), valueOf(t, "password")), 3],
  [
    "two values swapped",
    (t) => {
      const a = valueOf(t, "user");
      const b = valueOf(t, "password");
      return t.replace(a, "@@A").replace(b, a).replace("@@A", b);
    },
    3,
  ],
  ["a value deleted", (t) => t.replace(/^token: .*\n/m, ""), 3],
  ["a value added", (t) => t.replace("port:", `extra: ${valueOf(t, "token")}\nport:`), 3],
  ["a plaintext value in an encrypted position", (t) => t.replace(valueOf(t, "token"), "plain"), 3],
  ["the MAC changed", (t) => t.replace(/mac: ENC\[AES256_GCM,data:(.)/, (_m, c: string) => `mac: ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`), 3],
  ["lastmodified changed", (t) => t.replace(/lastmodified: "(\d{4})/, 'lastmodified: "1999'), 3],
  ["the age stanza corrupted", (t) => t.replace(/(-----BEGIN AGE ENCRYPTED FILE-----\n\s*)(.)/, (_m, p: string, c: string) => p + (c === "Y" ? "Z" : "Y")), 4],
  // sops does not authenticate the type tag; a tag that cannot hold the plaintext is still rejected.
  ["a value's type changed to one that cannot hold it", (t) => t.replace(/type:int\]/, "type:bool]"), 3],
  ["version garbage", (t) => t.replace(/version: .*/, "version: banana"), 2],
];

describe("tampered files", () => {
  for (const [name, mutate, code] of cases) {
    it(`rejects ${name} with exit ${code} and writes nothing`, async () => {
      const { dir, enc, text } = await sealed();
      const bad = mutate(text);
      assert.notEqual(bad, text, "the mutation applied");
      writeFileSync(enc, bad);
      const r = await cli(["decrypt", enc]);
      assert.equal(r.code, code, r.stderr);
      assert.ok(r.stderr.includes("app.enc.yaml"), "names the file");
      assert.equal(existsSync(join(dir, "app.yaml.kmseal")), false);
      assert.equal(readFileSync(join(dir, "app.yaml"), "utf8"), PLAIN, "the plaintext sibling is untouched");
      assert.ok(!r.stderr.includes("s3cr3t") && !r.stderr.includes("abc123"), "no plaintext in errors");
    });
  }
});

describe("bad input", () => {
  const inputs: [string, string, RegExp][] = [
    ["malformed YAML", "a: [1, 2\nb: 3\n", /bad\.yaml:\d+:\d+: /],
    ["a top-level list", "- a\n- b\n", /bad\.yaml:\d+:\d+: /],
    ["duplicate keys", "a: 1\na: 2\n", /bad\.yaml:2:\d+: /],
    ["a sops key already present", "a: 1\nsops: x\n", /bad\.yaml/],
  ];
  for (const [name, text, pattern] of inputs) {
    it(`exits 2 on ${name}, naming file and position, writing nothing`, async () => {
      const dir = testdir({ "bad.yaml": text });
      const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "bad.yaml")]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n")[0]!.startsWith("kmseal: "), true);
      assert.equal(existsSync(join(dir, "bad.enc.yaml")), false);
    });
  }

  it("exits 2 on malformed JSON with line and column", async () => {
    const dir = testdir({ "bad.json": '{\n  "a": 1,\n  "b": }\n' });
    const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "bad.json")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.json:3:\d+: /);
  });

  it("rejects a value that looks like ENC[ but is not valid", async () => {
    const { enc, text } = await sealed();
    writeFileSync(enc, text.replace(/token: ENC\[[^\]]+\]/, "token: ENC[AES256_GCM,data:@@@,iv:x,tag:y,type:str]"));
    const r = await cli(["decrypt", "--stdout", enc]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /token/);
  });
});
