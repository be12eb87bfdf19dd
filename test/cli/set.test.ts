import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const SOPS = join(process.cwd(), ".peers", "bin", "sops");
const FILES = {
  "app.yaml": "# settings\ndb:\n  user: admin\n  password: s3cr3t # rotate yearly\n  port: 5432\nhosts: [a, b]\n",
  "app.json": '{\n  "db": {\n    "user": "admin",\n    "password": "s3cr3t",\n    "port": 5432\n  },\n  "hosts": ["a", "b"]\n}\n',
  ".env": "# settings\nexport DB_USER=admin\nDB_PASSWORD='s3cr3t'\nDB_PORT=5432\n",
};

async function encrypted() {
  const dir = testdir({ ".kmsrc": "rules: []\n", ...FILES });
  for (const name of Object.keys(FILES)) assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, name)])).code, 0);
  return { yaml: join(dir, "app.enc.yaml"), json: join(dir, "app.enc.json"), env: join(dir, ".env.enc") };
}

/** Names of the lines that differ (the file must keep its line count), `sops_` prefixes dropped. */
function changedNames(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  assert.equal(b.length, a.length, `line count changed:\n${after}`);
  return a.flatMap((line, i) => (line === b[i] ? [] : [/^\s*(?:export\s+)?"?([^":=\s]+)"?\s*[:=]/.exec(line)?.[1]?.replace(/^sops_/, "") ?? line]));
}

function assertOnlyChanged(before: string, after: string, name: string): void {
  const names = changedNames(before, after);
  // The manifest is bound to the MAC and stamp, so it changes with them.
  assert.ok(
    names.includes(name) && names.includes("mac") && names.includes("kmseal_manifest"),
    `expected ${name}, mac and the manifest to change, got ${names.join(", ")}`,
  );
  assert.deepEqual(
    names.filter((n) => n !== name && n !== "mac" && n !== "lastmodified" && n !== "kmseal_manifest"),
    [],
  );
}

function sopsDecrypt(file: string, format: string): { code: number | null; stdout: string } {
  const r = spawnSync(SOPS, ["decrypt", "--input-type", format, "--output-type", format, file], {
    env: { SOPS_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent", PATH: process.env["PATH"] },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout };
}

describe("kmseal get", () => {
  it("prints one value of each format, strings raw and collections as JSON", async () => {
    const f = await encrypted();
    assert.equal((await cli(["get", f.yaml, "db.password"])).stdout, "s3cr3t\n");
    assert.equal((await cli(["get", f.yaml, "/db/port"])).stdout, "5432\n");
    assert.equal((await cli(["get", f.yaml, "hosts"])).stdout, '["a","b"]\n');
    assert.equal((await cli(["get", f.json, "db.password"])).stdout, "s3cr3t\n");
    assert.equal((await cli(["get", f.json, "hosts.1"])).stdout, "b\n");
    assert.equal((await cli(["get", f.env, "DB_PASSWORD"])).stdout, "s3cr3t\n");
    assert.equal((await cli(["get", f.env, "DB_USER"])).stdout, "admin\n");
  });

  it("exits 2 naming the path when there is no such value", async () => {
    const f = await encrypted();
    const r = await cli(["get", f.yaml, "db.nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /db\.nope: no such key/);
    assert.equal(r.stdout, "");
    assert.equal((await cli(["get", f.env, "A.B"])).code, 2);
  });
});

describe("kmseal set and unset", () => {
  it("changes only the touched value's line besides lastmodified, mac and the manifest, in every format", async () => {
    const f = await encrypted();
    for (const [file, path, name] of [
      [f.yaml, "db.password", "password"],
      [f.json, "db.password", "password"],
      [f.env, "DB_PASSWORD", "DB_PASSWORD"],
    ] as const) {
      const before = readFileSync(file, "utf8");
      const r = await cli(["set", file, path, "n3w s3cr3t"]);
      assert.equal(r.code, 0, r.stderr);
      assertOnlyChanged(before, readFileSync(file, "utf8"), name);
      assert.equal((await cli(["get", file, path])).stdout, "n3w s3cr3t\n");
    }
  });

  it("reads the value from stdin without its final line break", async () => {
    const f = await encrypted();
    const r = await cli(["set", f.yaml, "db.password"], { stdin: "from stdin\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await cli(["get", f.yaml, "db.password"])).stdout, "from stdin\n");
    await cli(["set", f.env, "MULTI"], { stdin: "line 1\nline 2\n" });
    assert.equal((await cli(["get", f.env, "MULTI"])).stdout, "line 1\nline 2\n");
  });

  it("takes a value that starts with - after --", async () => {
    const f = await encrypted();
    assert.equal((await cli(["set", f.env, "OFFSET", "--", "-5"])).code, 0);
    assert.equal((await cli(["get", f.env, "OFFSET"])).stdout, "-5\n");
    assert.equal((await cli(["set", f.env, "OFFSET", "1", "--", "2"])).code, 2);
  });

  it("writes typed values and adds new keys", async () => {
    const f = await encrypted();
    assert.equal((await cli(["set", f.yaml, "db.port", "6543", "--type", "int"])).code, 0);
    assert.equal((await cli(["set", f.json, "features", '{"beta": true}', "--type", "json"])).code, 0);
    assert.equal((await cli(["set", f.yaml, "db.pool.size", "10", "--type", "int"])).code, 0);
    const yaml = (await cli(["decrypt", "--stdout", f.yaml])).stdout;
    assert.match(yaml, / {2}port: 6543\n/);
    assert.match(yaml, / {2}pool:\n {4}size: 10\n/);
    assert.equal((await cli(["get", f.json, "features.beta"])).stdout, "true\n");
    assert.equal((await cli(["set", f.yaml, "db.port", "x", "--type", "int"])).code, 2);
  });

  it("leaves the file byte-identical when the value is already set (--idempotent)", async () => {
    const f = await encrypted();
    for (const [file, path, value] of [
      [f.yaml, "db.password", "s3cr3t"],
      [f.json, "db.port", "5432"],
      [f.env, "DB_PASSWORD", "s3cr3t"],
    ] as const) {
      const before = readFileSync(file);
      const type = path === "db.port" ? ["--type", "int"] : [];
      const r = await cli(["set", "--idempotent", file, path, value, ...type]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(readFileSync(file).equals(before), `${file} changed`);
    }
  });

  it("removes a value's line, and accepts a missing key only with --idempotent", async () => {
    const f = await encrypted();
    const before = readFileSync(f.yaml, "utf8");
    assert.equal((await cli(["unset", f.yaml, "db.user"])).code, 0);
    const after = readFileSync(f.yaml, "utf8");
    assert.equal(after.split("\n").length, before.split("\n").length - 1);
    assert.doesNotMatch((await cli(["decrypt", "--stdout", f.yaml])).stdout, /admin/);
    const missing = await cli(["unset", f.yaml, "db.user"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /db\.user: no such key/);
    const ok = await cli(["unset", "--idempotent", f.yaml, "db.user"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(readFileSync(f.yaml, "utf8"), after);
    assert.equal((await cli(["unset", f.env, "DB_USER"])).code, 0);
    assert.equal((await cli(["get", f.env, "DB_USER"])).code, 2);
  });

  it("refuses the sops metadata key and key paths in binary files", async () => {
    const f = await encrypted();
    assert.match((await cli(["set", f.yaml, "sops.mac", "x"])).stderr, /reserved/);
    assert.match((await cli(["set", f.env, "sops_mac", "x"])).stderr, /reserved/);
  });

  it("leaves files that sops decrypts", { skip: !existsSync(SOPS) && "the sops peer is not installed" }, async () => {
    const f = await encrypted();
    await cli(["set", f.yaml, "db.password", "p1"]);
    await cli(["unset", f.yaml, "db.user"]);
    await cli(["set", f.json, "db.new", "p2"]);
    await cli(["set", f.env, "DB_PASSWORD", "p3 with spaces"]);
    const yaml = sopsDecrypt(f.yaml, "yaml");
    assert.equal(yaml.code, 0);
    assert.match(yaml.stdout, /password: p1/);
    assert.doesNotMatch(yaml.stdout, /admin/);
    assert.match(sopsDecrypt(f.json, "json").stdout, /"new": "p2"/);
    assert.match(sopsDecrypt(f.env, "dotenv").stdout, /DB_PASSWORD=p3 with spaces/);
  });
});
