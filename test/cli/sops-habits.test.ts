import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, it } from "node:test";
import { EncryptCommand } from "@aws-sdk/client-kms";
import { parse } from "yaml";
import { parseKeyPath, parseSopsPath } from "../../src/stores/edit/key-path.js";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, cleanEnv } from "../git/temp-repo.js";
import { testdir } from "../helpers/testdir.js";

const { kms, reset } = fakeKms();
const OTHER = "age1qu5u6sdptdet80uya9xt53g6xjhcw5tczuht0hu8pl4eav78ac6sjxalj3";
const SECOND = FAKE_ARN.replace("0f0f0f0f", "1e1e1e1e");

async function sealed(files: Record<string, string>): Promise<string> {
  const dir = testdir({ ".kmsrc": `rules: [{ path: "**", age: [${TEST_AGE_RECIPIENT}] }]\n`, ...files });
  const r = await cli(["encrypt", ...Object.keys(files)], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

describe("sops's path syntax", () => {
  it("reads quoted keys and list indices", () => {
    assert.deepEqual(parseSopsPath('["a"]["b"][0]'), ["a", "b", "0"]);
    assert.deepEqual(parseSopsPath("['x.y'][12]['']"), ["x.y", "12", ""]);
    assert.deepEqual(parseSopsPath('["a[b]"]'), ["a[b]"]);
    assert.deepEqual(parseKeyPath('["db"]["password"]'), ["db", "password"]);
  });

  it("refuses what is not a sops path, naming the fault", () => {
    assert.throws(() => parseSopsPath('["a"'), /has no closing "\]/);
    assert.throws(() => parseSopsPath("[a]"), /\[a\] is neither a quoted key nor a list index/);
    assert.throws(() => parseSopsPath('["a"]x'), /expected \[ at character 6/);
    assert.throws(() => parseSopsPath("[-1]"), /neither a quoted key nor a list index/);
  });
});

describe("decrypt --extract", () => {
  it("prints a string without a newline and other scalars as sops does, by YAML, JSON and dotenv path", async () => {
    const dir = await sealed({
      "a.yaml": "db:\n  password: hunter2\n  hosts: [h1, h2]\n  port: 5432\n  on: true\n",
      "b.json": '{"x": {"list": ["p", {"k": "v"}], "n": 1.50, "t": false}}\n',
      ".env": "TOKEN=abc def\n",
    });
    const out = async (path: string, file: string) => {
      const r = await cli(["decrypt", "--extract", path, file], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    assert.equal(await out('["db"]["password"]', "a.enc.yaml"), "hunter2");
    assert.equal(await out('["db"]["hosts"][1]', "a.enc.yaml"), "h2");
    assert.equal(await out('["db"]["port"]', "a.enc.yaml"), "5432\n");
    assert.equal(await out('["db"]["on"]', "a.enc.yaml"), "true\n");
    assert.equal(await out('["db"]["hosts"]', "a.enc.yaml"), '["h1","h2"]\n');
    assert.equal(await out('["x"]["list"][1]["k"]', "b.enc.json"), "v");
    assert.equal(await out('["x"]["n"]', "b.enc.json"), "1.50");
    assert.equal(await out('["x"]["t"]', "b.enc.json"), "false");
    assert.equal(await out('["TOKEN"]', ".env.enc"), "abc def");
  });

  it("names a missing key (exit 2) and takes exactly one file, printing only", async () => {
    const dir = await sealed({ "a.yaml": "k: v\n", "b.yaml": "k: w\n" });
    const missing = await cli(["decrypt", "--extract", '["nope"]', "a.enc.yaml"], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /a\.enc\.yaml.*nope.*no such key/);
    const two = await cli(["decrypt", "--extract", '["k"]', "a.enc.yaml", "b.enc.yaml"], { cwd: dir });
    assert.equal(two.code, 2);
    assert.match(two.stderr, /--extract reads one value from one file/);
    const out = await cli(["decrypt", "--extract", '["k"]', "-o", "x.yaml", "a.enc.yaml"], { cwd: dir });
    assert.equal(out.code, 2);
    assert.match(out.stderr, /takes no --output or --in-place/);
    const bad = await cli(["decrypt", "--extract", "k", "a.enc.yaml"], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"k" is not a sops path/);
  });
});

describe("--input-type and --output-type", () => {
  it("--input-type names the format of stdin, on encrypt and decrypt", () => {
    const dir = testdir({});
    // stdin is the process's own: run the CLI as a child.
    const run = (args: string[], input: string | Buffer) =>
      spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd: dir, input, env: cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }) });
    const enc = run(["encrypt", "-", "--input-type", "json", "--age", TEST_AGE_RECIPIENT], '{"a": "b"}\n');
    assert.equal(enc.status, 0, enc.stderr.toString());
    assert.match(enc.stdout.toString(), /"sops": \{/);
    const dec = run(["decrypt", "-", "--input-type", "json", "--output-type", "json"], enc.stdout);
    assert.equal(dec.status, 0, dec.stderr.toString());
    assert.equal(dec.stdout.toString(), '{"a": "b"}\n');
  });

  it("refuses a conversion, and a --format that disagrees, writing nothing", async () => {
    const dir = await sealed({ "a.yaml": "k: v\n" });
    rmSync(join(dir, "a.yaml"));
    const sealedBefore = readFileSync(join(dir, "a.enc.yaml"), "utf8");
    const conv = await cli(["decrypt", "--output-type", "json", "a.enc.yaml"], { cwd: dir });
    assert.equal(conv.code, 2);
    assert.match(conv.stderr, /--output-type json would convert this yaml file; kmseal does not convert between formats/);
    assert.throws(() => readFileSync(join(dir, "a.yaml")), /ENOENT/);
    writeFileSync(join(dir, "a.yaml"), "k: v\n");
    const clash = await cli(["encrypt", "a.yaml", "--format", "yaml", "--input-type", "json", "--age", TEST_AGE_RECIPIENT], { cwd: dir });
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /--format yaml and --input-type json disagree/);
    assert.equal(clash.stdout, "");
    assert.equal(readFileSync(join(dir, "a.enc.yaml"), "utf8"), sealedBefore);
  });
});

describe("comma lists for --age and --kms", () => {
  beforeEach(() => {
    reset();
  });

  it("--age a,b seals to both recipients, as two --age flags do", async () => {
    const dir = testdir({ "a.yaml": "k: v\n", "b.yaml": "k: v\n" });
    assert.equal((await cli(["encrypt", "--age", ` ${TEST_AGE_RECIPIENT}, ${OTHER},`, "a.yaml"], { cwd: dir })).code, 0);
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, "--age", OTHER, "b.yaml"], { cwd: dir })).code, 0);
    const recipients = (f: string) =>
      (parse(readFileSync(join(dir, f), "utf8")) as { sops: { age: { recipient: string }[] } }).sops.age.map((a) => a.recipient);
    assert.deepEqual(recipients("a.enc.yaml"), [TEST_AGE_RECIPIENT, OTHER]);
    assert.deepEqual(recipients("b.enc.yaml"), recipients("a.enc.yaml"));
  });

  it("--kms a,b wraps the data key with each key", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "a.yaml": "k: v\n" });
    const r = await cli(["encrypt", "--kms", `${FAKE_ARN},${SECOND}`, "a.yaml"], {
      cwd: dir,
      env: { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      kms.commandCalls(EncryptCommand).map((c) => c.args[0].input.KeyId),
      [FAKE_ARN, SECOND],
    );
  });
});

describe("filestatus", () => {
  it('prints {"encrypted":true} for a sealed file and {"encrypted":false} for plaintext, exit 0', async () => {
    const dir = await sealed({ "a.yaml": "k: v\n", "b.json": '{"k": 1}\n', ".env": "A=1\n" });
    for (const [file, encrypted] of [
      ["a.enc.yaml", true],
      ["b.enc.json", true],
      [".env.enc", true],
      ["a.yaml", false],
      ["b.json", false],
      [".env", false],
    ] as const) {
      const r = await cli(["filestatus", file], { cwd: dir });
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, JSON.stringify({ encrypted }) + "\n", ""], file);
    }
    const typed = await cli(["filestatus", "--input-type", "dotenv", ".env.enc"], { cwd: dir });
    assert.equal(typed.stdout, '{"encrypted":true}\n');
  });

  it("says false when the sops block lacks a MAC, and exits 2 for a missing file", async () => {
    const dir = testdir({ "x.yaml": "k: v\nsops:\n    version: 3.9.0\n" });
    assert.equal((await cli(["filestatus", "x.yaml"], { cwd: dir })).stdout, '{"encrypted":false}\n');
    const none = await cli(["filestatus", "nope.yaml"], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nope\.yaml.*no such file/);
  });
});
