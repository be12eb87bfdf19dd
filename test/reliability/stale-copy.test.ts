/**
 * No silent reverts: `encrypt` of a plaintext copy made before the encrypted file changed (by `set`,
 * `edit`, `unset`, a teammate's commit pulled from git, `kmseal mv`) merges the two against what the
 * copy was made from, or refuses (exit 2) naming the keys; it never puts the older values back.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { git, tempDir, tempRepo } from "../git/temp-repo.js";
import { DecryptCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";

const KMSRC = `rules:\n  - path: ".env"\n    age: [${TEST_AGE_RECIPIENT}]\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`;
const mode = (p: string) => statSync(p).mode & 0o777;

async function ok(args: string[], cwd: string, opts: { stdin?: string; env?: Record<string, string | undefined> } = {}): Promise<string> {
  const r = await cli(args, { cwd, ...opts });
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const plainOf = (dir: string, file = ".env.enc", env: Record<string, string | undefined> = {}) => ok(["decrypt", "--stdout", file], dir, { env });

/** A repository with a .kmsrc and an ignored .env, encrypted once: the copy has a recorded base. */
async function repo(env = "API_KEY=old\nDB_PASS=d1\n"): Promise<string> {
  const dir = tempRepo({ ".kmsrc": KMSRC, ".gitignore": ".env\nconfig/*.yaml\n!config/*.enc.yaml\n", ".env": env });
  await ok(["encrypt", ".env"], dir);
  return dir;
}

describe("a stale plaintext copy never silently reverts newer values", () => {
  it("encrypt; set; encrypt (the issue's sequence) ends with API_KEY=new, and the copy is rewritten to it at 0600", async () => {
    const dir = await repo("API_KEY=old\n");
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "new" });
    const r = await cli(["encrypt", ".env"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /merged/);
    assert.equal(await plainOf(dir), "API_KEY=new\n");
    assert.equal(readFileSync(join(dir, ".env"), "utf8"), "API_KEY=new\n");
    assert.equal(mode(join(dir, ".env")), 0o600);
  });

  it("the same sequence with no record possible (no git, no home) is refused, exit 2, naming API_KEY and the ways out", async () => {
    const dir = testdir({ ".kmsrc": KMSRC, ".env": "API_KEY=old\n" });
    await ok(["encrypt", ".env"], dir);
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "new" });
    const before = readFileSync(join(dir, ".env.enc"));
    const r = await cli(["encrypt", ".env"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.env\.enc is newer than this copy.*: API_KEY$/m);
    assert.match(r.stderr, /kmseal decrypt --force \.env\.enc/);
    assert.match(r.stderr, /kmseal encrypt --force \.env/);
    assert.ok(readFileSync(join(dir, ".env.enc")).equals(before), "nothing written");
    assert.equal(await plainOf(dir), "API_KEY=new\n");
  });

  it("outside git the record lives in $XDG_CACHE_HOME/kmseal/copies (0700, files 0600, ciphertext only) and the sequence merges", async () => {
    const cache = testdir();
    const env = { XDG_CACHE_HOME: cache };
    const dir = testdir({ ".kmsrc": KMSRC, ".env": "API_KEY=old-Zq9-secret\n" });
    await ok(["encrypt", ".env"], dir, { env });
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "new-Zq9-secret", env });
    await ok(["encrypt", ".env"], dir, { env });
    assert.equal(await plainOf(dir, ".env.enc", env), "API_KEY=new-Zq9-secret\n");
    const records = join(cache, "kmseal", "copies");
    assert.equal(mode(records), 0o700);
    const names = readdirSync(records);
    assert.equal(names.length, 1);
    for (const name of names) {
      assert.equal(mode(join(records, name)), 0o600);
      const text = readFileSync(join(records, name), "utf8");
      assert.ok(!text.includes("Zq9"), "no plaintext in the record");
    }
  });

  it("after edit (EDITOR script): the edited value survives encrypt of the older copy", async () => {
    const dir = await repo();
    const runtime = join(dir, ".git", "runtime");
    mkdirSync(runtime, { mode: 0o700 });
    const script = join(dir, ".git", "editor.sh");
    writeFileSync(script, `#!/bin/sh\nsed -i 's/^DB_PASS=.*/DB_PASS=edited/' "$1"\n`);
    chmodSync(script, 0o755);
    await ok(["edit", ".env.enc"], dir, { env: { EDITOR: script, XDG_RUNTIME_DIR: runtime, PATH: process.env["PATH"] } });
    writeFileSync(join(dir, ".env"), "API_KEY=mine\nDB_PASS=d1\n"); // a local change to another key
    await ok(["encrypt", ".env"], dir);
    assert.equal(await plainOf(dir), "API_KEY=mine\nDB_PASS=edited\n");
  });

  it("after unset: the removed key stays removed", async () => {
    const dir = await repo();
    await ok(["unset", ".env.enc", "DB_PASS"], dir);
    await ok(["encrypt", ".env"], dir);
    assert.equal(await plainOf(dir), "API_KEY=old\n");
    assert.equal(readFileSync(join(dir, ".env"), "utf8"), "API_KEY=old\n");
  });

  it("a teammate's change to another key, pulled from git, survives encrypt of a locally edited copy; unchanged values keep their ciphertext", async () => {
    const bare = tempDir("kmseal-bare-");
    git(bare, "init", "-q", "--bare", "-b", "main");
    const alice = await repo();
    git(alice, "add", ".kmsrc", ".gitignore", ".env.enc");
    git(alice, "commit", "-q", "-m", "secrets");
    git(alice, "push", "-q", bare, "main");
    const root = tempDir("kmseal-clone-");
    git(root, "clone", "-q", bare, "bob");
    const bob = join(root, "bob");
    await ok(["decrypt", ".env.enc"], bob);
    writeFileSync(join(bob, ".env"), "API_KEY=bob-local\nDB_PASS=d1\n");
    await ok(["set", ".env.enc", "DB_PASS"], alice, { stdin: "d2-from-alice" });
    git(alice, "commit", "-q", "-am", "rotate DB_PASS");
    git(alice, "push", "-q", bare, "main");
    git(bob, "pull", "-q", "--ff-only", bare, "main");
    const pulled = readFileSync(join(bob, ".env.enc"), "utf8").split("\n");
    await ok(["encrypt", ".env"], bob);
    assert.equal(await plainOf(bob), "API_KEY=bob-local\nDB_PASS=d2-from-alice\n");
    assert.equal(readFileSync(join(bob, ".env"), "utf8"), "API_KEY=bob-local\nDB_PASS=d2-from-alice\n");
    const merged = readFileSync(join(bob, ".env.enc"), "utf8").split("\n");
    const line = (lines: string[], name: string) => lines.find((l) => l.startsWith(`${name}=`));
    assert.equal(line(merged, "DB_PASS"), line(pulled, "DB_PASS"), "alice's value keeps its exact ciphertext");
    assert.notEqual(line(merged, "API_KEY"), line(pulled, "API_KEY"));
  });

  it("YAML: nested keys merge one by one, the copy's comments and layout stay", async () => {
    const dir = tempRepo({
      ".kmsrc": KMSRC,
      ".gitignore": "config/*.yaml\n!config/*.enc.yaml\n",
      "config/app.yaml": "# app\ndb:\n  user: u1\n  password: p1\n",
    });
    await ok(["encrypt", "config/app.yaml"], dir);
    await ok(["set", "config/app.enc.yaml", "db.password"], dir, { stdin: "p2" });
    writeFileSync(join(dir, "config/app.yaml"), "# app\ndb:\n  user: u2 # renamed\n  password: p1\n");
    await ok(["encrypt", "config/app.yaml"], dir);
    const merged = "# app\ndb:\n  user: u2 # renamed\n  password: p2\n";
    assert.equal(await plainOf(dir, "config/app.enc.yaml"), merged);
    assert.equal(readFileSync(join(dir, "config/app.yaml"), "utf8"), merged);
  });

  it("a key changed differently on both sides is refused (exit 2) by name; nothing is written", async () => {
    const dir = await repo();
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "theirs" });
    writeFileSync(join(dir, ".env"), "API_KEY=mine\nDB_PASS=d1\n");
    const before = readFileSync(join(dir, ".env.enc"));
    const r = await cli(["encrypt", ".env"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^kmseal: \.env: \.env\.enc changed since this copy was made, and both changed: API_KEY$/m);
    assert.match(r.stderr, /kmseal decrypt --force \.env\.enc/);
    assert.match(r.stderr, /kmseal encrypt --force \.env/);
    assert.ok(!r.stderr.includes("theirs") && !r.stderr.includes("mine"), "no values in the message");
    assert.ok(readFileSync(join(dir, ".env.enc")).equals(before));
    assert.equal(readFileSync(join(dir, ".env"), "utf8"), "API_KEY=mine\nDB_PASS=d1\n");
  });

  it("--force: encrypt --force overwrites with the copy; decrypt --force takes the encrypted version, after which encrypt is a no-op", async () => {
    const dir = await repo();
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "theirs" });
    writeFileSync(join(dir, ".env"), "API_KEY=mine\nDB_PASS=d1\n");
    await ok(["encrypt", "--force", ".env"], dir);
    assert.equal(await plainOf(dir), "API_KEY=mine\nDB_PASS=d1\n");

    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "theirs-again" });
    writeFileSync(join(dir, ".env"), "API_KEY=mine-again\nDB_PASS=d1\n");
    assert.equal((await cli(["encrypt", ".env"], { cwd: dir })).code, 2);
    await ok(["decrypt", "--force", ".env.enc"], dir);
    assert.equal(readFileSync(join(dir, ".env"), "utf8"), "API_KEY=theirs-again\nDB_PASS=d1\n");
    const sealed = readFileSync(join(dir, ".env.enc"));
    await ok(["encrypt", ".env"], dir);
    assert.ok(readFileSync(join(dir, ".env.enc")).equals(sealed), "a fresh copy re-encrypts to the same bytes");
  });

  it("an encrypted file deleted since the copy was made (a pull, a checkout) is not brought back without --force", async () => {
    const dir = await repo();
    rmSync(join(dir, ".env.enc"));
    const r = await cli(["encrypt", ".env"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.env\.enc, which \.env was made from, no longer exists/);
    assert.equal(existsSync(join(dir, ".env.enc")), false);
    await ok(["encrypt", "--force", ".env"], dir);
    assert.equal(await plainOf(dir), "API_KEY=old\nDB_PASS=d1\n");
  });

  it("kmseal mv moves the plaintext copy along: encrypt --all does not bring the old file back", async () => {
    const dir = tempRepo({ ".kmsrc": KMSRC, ".gitignore": "config/*.yaml\n!config/*.enc.yaml\n", "config/app.yaml": "a: 1\n" });
    await ok(["encrypt", "config/app.yaml"], dir);
    const r = await cli(["mv", "config/app.enc.yaml", "config/web.enc.yaml"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /moved the plaintext copy along to config\/web\.yaml/);
    assert.equal(existsSync(join(dir, "config/app.yaml")), false);
    await ok(["encrypt", "--all"], dir);
    assert.equal(existsSync(join(dir, "config/app.enc.yaml")), false, "the old file is not brought back");
    assert.equal(await plainOf(dir, "config/web.enc.yaml"), "a: 1\n");
    // The moved copy is still tied to its file: a later set is merged, not reverted.
    await ok(["set", "config/web.enc.yaml", "b"], dir, { stdin: "2" });
    await ok(["encrypt", "config/web.yaml"], dir);
    assert.equal(await plainOf(dir, "config/web.enc.yaml"), 'a: 1\nb: "2"\n');
  });

  it("kmseal mv onto a taken plaintext name leaves the copy, and encrypt --all refuses it (exit 2) naming where the file went", async () => {
    const dir = tempRepo({ ".kmsrc": KMSRC, ".gitignore": "config/*.yaml\n!config/*.enc.yaml\n", "config/app.yaml": "a: 1\n" });
    await ok(["encrypt", "config/app.yaml"], dir);
    writeFileSync(join(dir, "config/web.yaml"), "unrelated: true\n");
    const m = await cli(["mv", "config/app.enc.yaml", "config/web.enc.yaml"], { cwd: dir });
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /config\/app\.yaml was not moved/);
    const r = await cli(["encrypt", "--all"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /config\/app\.yaml: .*kmseal mv moved to .*config\/web\.enc\.yaml/);
    assert.equal(existsSync(join(dir, "config/app.enc.yaml")), false);
  });

  it("status reports a stale copy (text and --json `stale`), and a fresh one as not stale", async () => {
    const dir = await repo();
    const fresh = JSON.parse(await ok(["status", "--json", ".env", ".env.enc"], dir)) as { file: string; stale: boolean | null }[];
    assert.deepEqual(
      fresh.map((s) => [s.file, s.stale]),
      [
        [".env", false],
        [".env.enc", false],
      ],
    );
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "new" });
    const stale = JSON.parse(await ok(["status", "--json", ".env", ".env.enc"], dir)) as { file: string; stale: boolean | null }[];
    assert.deepEqual(
      stale.map((s) => [s.file, s.stale]),
      [
        [".env", true],
        [".env.enc", true],
      ],
    );
    const text = await ok(["status", ".env"], dir);
    assert.match(text, /^ {2}stale: its encrypted file changed since this copy was made/m);
    await ok(["encrypt", ".env"], dir);
    const after = JSON.parse(await ok(["status", "--json", ".env"], dir)) as { stale: boolean | null }[];
    assert.equal(after[0]!.stale, false);
  });

  it("a KMS-wrapped file: the merge opens the recorded base and the current file under their `file` context, and reuses the data key (no Encrypt)", async () => {
    const { kms, reset } = fakeKms();
    reset();
    const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };
    const dir = tempRepo({ ".kmsrc": "rules: []\n", ".env": "API_KEY=old\nDB_PASS=d1\n" });
    await ok(["encrypt", "--kms", FAKE_ARN, ".env"], dir, { env });
    await ok(["set", ".env.enc", "API_KEY"], dir, { stdin: "new", env });
    writeFileSync(join(dir, ".env"), "API_KEY=old\nDB_PASS=mine\n");
    reset();
    await ok(["encrypt", "--kms", FAKE_ARN, ".env"], dir, { env });
    assert.equal(kms.commandCalls(EncryptCommand).length, 0, "the current file's data key is reused");
    const decrypts = kms.commandCalls(DecryptCommand);
    assert.ok(decrypts.length >= 2);
    for (const c of decrypts) assert.deepEqual(c.args[0].input.EncryptionContext, { file: ".env.enc" });
    assert.equal(await plainOf(dir, ".env.enc", env), "API_KEY=new\nDB_PASS=mine\n");
  });
});
