/**
 * Merges and hand edits cannot let a secret through. A conflicting merge through the real git merge
 * driver leaves a file that `check` fails (with or without a key) and that decrypt, exec and the
 * loader refuse until `kmseal edit` resolves it. A crypt rule that differs from the `.kmsrc` rule
 * (the rule is outside the MAC, so a one-line edit still verifies) fails `check`, is never used to
 * write a new secret in cleartext, and a rule change in a merge is a conflict that leaves no value
 * in cleartext that either side encrypted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { findKmsrc } from "../../src/config/kmsrc.js";
import { loadEnv } from "../../src/env/load-env.js";
import { installDiffDriver } from "../../src/git/diff-driver.js";
import { installMergeDriver } from "../../src/git/merge-driver.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { loadStore } from "../../src/stores/registry.js";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, git, gitTry, removeDir, tempDir, tempRepo } from "../git/temp-repo.js";
import { after } from "node:test";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const WITH_KEY = { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" };
const COMMAND = `${process.execPath} ${CLI_MAIN}`;
const FILE = "config/app.enc.yaml";
const keys = () => keyServices({ env: WITH_KEY, notice: () => undefined });
const rootOf = (dir: string) => dirname(findKmsrc(dir)!);

/** A repository with config/app.enc.yaml committed and both drivers installed; `crypt` is the rule's crypt line. */
async function repo(plain: string, crypt = ""): Promise<string> {
  const dir = tempRepo({
    ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n${crypt}`,
    ".gitignore": "config/*.yaml\n!config/*.enc.yaml\n",
    "config/app.yaml": plain,
  });
  dirs.push(dir);
  assert.equal((await cli(["encrypt", join(dir, "config/app.yaml")], { cwd: dir })).code, 0);
  await installDiffDriver(dir, rootOf(dir), { command: COMMAND });
  await installMergeDriver(dir, rootOf(dir), { command: COMMAND });
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

const setIn = async (dir: string, key: string, value: string) => {
  const r = await cli(["set", join(dir, FILE), key], { stdin: value, cwd: dir });
  assert.equal(r.code, 0, r.stderr);
};

/** ours and theirs branches from main, each changed by `change`, then `git merge theirs` run on main. */
async function merged(dir: string, ours: (dir: string) => Promise<void>, theirs: (dir: string) => Promise<void>) {
  git(dir, "checkout", "-q", "-b", "theirs");
  await theirs(dir);
  git(dir, "commit", "-q", "-am", "theirs");
  git(dir, "checkout", "-q", "main");
  await ours(dir);
  git(dir, "commit", "-q", "-am", "ours");
  return gitTry(dir, ["merge", "--no-edit", "theirs"], WITH_KEY);
}

const PLAIN = "db:\n  user: app\n  password: old-pass\napi:\n  token: tok-1\n  url_unencrypted: http://one\n";

/** The stored text of each value, by key path. */
const stored = async (file: string) =>
  new Map(
    (await loadStore("yaml"))
      .parse(readFileSync(file))
      .leaves.filter((l) => l.kind === "value")
      .map((l) => [l.path.join("."), Buffer.from(l.value.bytes).toString("utf8")]),
  );

function editorScript(dir: string, body: string): string {
  const script = join(dir, "..", `${dir.split("/").pop()!}-editor.sh`);
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  return script;
}

describe("a conflicting merge fails closed", () => {
  it("check and check --staged exit 6 (no key needed); decrypt, exec and the loader exit 3 pointing to kmseal edit; edit resolves it", async () => {
    const dir = await repo(PLAIN);
    const r = await merged(
      dir,
      (d) => setIn(d, "db.password", "our-pass"),
      (d) => setIn(d, "db.password", "their-pass"),
    );
    assert.notEqual(r.status, 0, "git marks the file as conflicted");
    const file = join(dir, FILE);
    const raw = readFileSync(file, "utf8");
    assert.doesNotMatch(raw, /our-pass|their-pass|<<<<<<</);
    assert.match(raw, /^ {4}kmseal_conflict: .*db\.password/m);

    const noKey = { KMSEAL_AGE_KEY: "" };
    const check = await cli(["check", FILE], { cwd: dir, env: noKey });
    assert.equal(check.code, 6, check.stderr);
    assert.match(check.stderr, /config\/app\.enc\.yaml: .*unresolved merge conflict/);
    assert.match(check.stderr, /kmseal edit config\/app\.enc\.yaml/);
    git(dir, "add", FILE); // what a user who thinks the merge is done would do
    const staged = await cli(["check", "--staged"], { cwd: dir, env: noKey });
    assert.equal(staged.code, 6, staged.stderr);
    assert.match(staged.stderr, /unresolved merge conflict/);
    assert.match(r.stderr, /conflict is recorded in the file/);

    const decrypt = await cli(["decrypt", "--stdout", file], { cwd: dir });
    assert.equal(decrypt.code, 3, decrypt.stderr);
    assert.equal(decrypt.stdout, "");
    assert.match(decrypt.stderr, /unresolved merge conflict/);
    assert.match(decrypt.stderr, /kmseal edit/);
    const exec = await cli(["exec", file, "--", "true"], { cwd: dir });
    assert.equal(exec.code, 3, exec.stderr);
    assert.match(exec.stderr, /kmseal edit/);
    await assert.rejects(loadEnv(file, { keys: keys() }), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, "integrity");
      assert.match(err.hint ?? "", /kmseal edit/);
      return true;
    });

    // edit opens it (the markers are shown), and saving with the markers gone resolves it.
    const seen = join(dir, "..", `${dir.split("/").pop()!}-seen.txt`);
    const editor = editorScript(dir, `cp "$1" "${seen}"\nsed -i 's/^  password: .*$/  password: resolved-pass/' "$1"`);
    const edit = await cli(["edit", file], { cwd: dir, env: { EDITOR: editor, XDG_RUNTIME_DIR: tempDir("kmseal-run-"), PATH: process.env["PATH"] } });
    assert.equal(edit.code, 0, edit.stderr);
    assert.match(readFileSync(seen, "utf8"), /<<<<<<< ours\\nour-pass\\n=======\\ntheir-pass\\n>>>>>>> theirs/);
    assert.doesNotMatch(readFileSync(file, "utf8"), /kmseal_conflict|resolved-pass/);
    const after = await cli(["decrypt", "--stdout", file], { cwd: dir });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, PLAIN.replace("old-pass", "resolved-pass"));
    git(dir, "add", FILE);
    assert.equal((await cli(["check", "--staged"], { cwd: dir, env: noKey })).code, 0);
    assert.equal((await cli(["check", FILE], { cwd: dir, env: noKey })).code, 0);
  });

  it("markers in a cleartext value are seen by check without the record, and decrypt refuses them with a key", async () => {
    const dir = await repo(PLAIN);
    const r = await merged(
      dir,
      (d) => setIn(d, "api.url_unencrypted", "http://ours"),
      (d) => setIn(d, "api.url_unencrypted", "http://theirs"),
    );
    assert.notEqual(r.status, 0);
    const file = join(dir, FILE);
    // Someone drops the record by hand: the markers in the cleartext value are still there.
    writeFileSync(file, readFileSync(file, "utf8").replace(/^ {4}kmseal_conflict: .*\n/m, ""));
    assert.doesNotMatch(readFileSync(file, "utf8"), /kmseal_conflict/);
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    assert.match(check.stderr, /api\.url_unencrypted.*merge conflict markers/);
    const decrypt = await cli(["decrypt", "--stdout", file], { cwd: dir });
    assert.equal(decrypt.code, 3, decrypt.stderr);
    assert.match(decrypt.stderr, /api\.url_unencrypted: .*conflict markers/);
  });

  it("markers pasted into an encrypted value by set are recorded, so check sees them without a key", async () => {
    const dir = await repo(PLAIN);
    await setIn(dir, "db.password", "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main");
    assert.match(readFileSync(join(dir, FILE), "utf8"), /kmseal_conflict: .*conflict markers in values: db\.password/);
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    assert.equal((await cli(["decrypt", "--stdout", join(dir, FILE)], { cwd: dir })).code, 3);
    await setIn(dir, "db.password", "chosen");
    assert.match(readFileSync(join(dir, FILE), "utf8"), /kmseal_conflict/, "set keeps the record; kmseal edit resolves it");
  });

  it("a file git merged as text (no merge driver) is a merge-conflict finding, exit 6", async () => {
    const dir = await repo(PLAIN);
    git(dir, "config", "--unset", "merge.kmseal.driver");
    git(dir, "config", "--remove-section", "merge.kmseal");
    const r = await merged(
      dir,
      (d) => setIn(d, "db.password", "our-pass"),
      (d) => setIn(d, "db.password", "their-pass"),
    );
    assert.notEqual(r.status, 0);
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    assert.match(check.stderr, /conflict markers: it was merged as text/);
  });
});

describe("the conflict record in every format", () => {
  it("check exits 6 without a key on the tamper corpus's conflict-record files (yaml, json, dotenv, binary)", async () => {
    const corpus = join(process.cwd(), "fixtures", "tamper");
    const files = [
      "yaml/conflict-record-added.enc.yaml",
      "json/conflict-record-added.enc.json",
      "dotenv/conflict-record-added.env.enc",
      "binary/conflict-record-added.bin.enc",
    ];
    for (const f of files) {
      const r = await cli(["check", join(corpus, f)], { cwd: corpus, env: { KMSEAL_AGE_KEY: "" } });
      assert.equal(r.code, 6, `${f}: ${r.stderr}`);
      assert.match(r.stderr, /conflict record \(unresolved merge conflict: values changed on both sides: token\)/, f);
    }
  });
});

const REGEX = '    encrypted_regex: "^(password|token)$"\n';
/** A file as sops leaves it when it rewrites one: without kmseal's manifest (which authenticates the rule). */
const withoutManifest = (text: string) => text.replace(/^ {4}kmseal_manifest: .*\n/m, "");

/**
 * The file's own rule, narrowed by one line, in a file without a manifest: it still verifies as sops
 * verifies it, since no `token` exists yet. (With the manifest the change is refused outright: below.)
 */
const narrow = (dir: string, keepManifest = false) => {
  const file = join(dir, FILE);
  const text = readFileSync(file, "utf8");
  const edited = text.replace("encrypted_regex: ^(password|token)$", "encrypted_regex: ^(password)$");
  assert.notEqual(edited, text);
  writeFileSync(file, keepManifest ? edited : withoutManifest(edited));
};

describe("the project's rule wins over the file's", () => {
  it("with kmseal's manifest a hand-narrowed rule does not verify: decrypt, set and unset exit 3 and write nothing; check exits 6", async () => {
    const dir = await repo("db:\n  user: app\n  password: p1\n", REGEX);
    const file = join(dir, FILE);
    narrow(dir, true);
    const before = readFileSync(file);
    assert.equal((await cli(["decrypt", "--stdout", file], { cwd: dir })).code, 3);
    assert.equal((await cli(["set", file, "db.token", "new-token"], { cwd: dir })).code, 3);
    assert.equal((await cli(["unset", file, "db.user"], { cwd: dir })).code, 3);
    assert.deepEqual(readFileSync(file), before);
    assert.equal((await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } })).code, 6);
  });

  it("check exits 6 on a hand-narrowed rule; set, edit and unset keep every new secret encrypted and restore the .kmsrc rule", async () => {
    const dir = await repo("db:\n  user: app\n  password: p1\n", REGEX);
    const file = join(dir, FILE);
    narrow(dir);
    assert.equal((await cli(["decrypt", "--stdout", file], { cwd: dir })).code, 0, "the narrowed file still verifies");
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    assert.match(
      check.stderr,
      /crypt rule \(encrypted_regex "\^\(password\)\$".*differs from its \.kmsrc rule "config\/\*\*" \(encrypted_regex "\^\(password\|token\)\$"/,
    );
    assert.match(check.stderr, /kmseal rotate/);

    await setIn(dir, "db.token", "new-token-1");
    let text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /new-token-1/);
    assert.match((await stored(file)).get("db.token")!, /^ENC\[AES256_GCM,/);
    assert.match(text, /encrypted_regex: \^\(password\|token\)\$/);
    assert.equal((await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } })).code, 0);

    // Start again from the committed file, narrowed the same way.
    git(dir, "checkout", "--", FILE);
    narrow(dir);
    const editor = editorScript(dir, `printf '  token: new-token-2\\n' >> "$1"`);
    const edit = await cli(["edit", file], { cwd: dir, env: { EDITOR: editor, XDG_RUNTIME_DIR: tempDir("kmseal-run-"), PATH: process.env["PATH"] } });
    assert.equal(edit.code, 0, edit.stderr);
    text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /new-token-2/);
    assert.match((await stored(file)).get("db.token")!, /^ENC\[AES256_GCM,/);

    git(dir, "checkout", "--", FILE);
    narrow(dir);
    const unset = await cli(["unset", file, "db.user"], { cwd: dir });
    assert.equal(unset.code, 0, unset.stderr);
    assert.match(readFileSync(file, "utf8"), /encrypted_regex: \^\(password\|token\)\$/);
  });

  it("an unencrypted_suffix edited to match a new key's name: set still encrypts that key under the .kmsrc rule", async () => {
    const dir = await repo("db:\n  user: app\n  password: p1\n");
    const file = join(dir, FILE);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, withoutManifest(text.replace("unencrypted_suffix: _unencrypted", "unencrypted_suffix: token")));
    assert.notEqual(readFileSync(file, "utf8"), text);
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    await setIn(dir, "db.api_token", "new-api-token");
    assert.doesNotMatch(readFileSync(file, "utf8"), /new-api-token/);
    assert.match((await stored(file)).get("db.api_token")!, /^ENC\[AES256_GCM,/);
    assert.match(readFileSync(file, "utf8"), /unencrypted_suffix: _unencrypted/);
  });

  it("set refuses (exit 2, nothing written) when the .kmsrc rule would leave a value the file encrypts in cleartext", async () => {
    // Sealed under the default rule (everything encrypted) before the project narrowed its rule.
    const old = await repo("db:\n  user: app\n  password: p1\n");
    const dir = tempRepo({
      ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n    encrypted_regex: "^password$"\n`,
      [FILE]: readFileSync(join(old, FILE)),
    });
    dirs.push(dir);
    const file = join(dir, FILE);
    const before = readFileSync(file);
    const r = await cli(["set", file, "db.password"], { stdin: "p2", cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /unencrypted_suffix "_unencrypted".*differs from its \.kmsrc rule "config\/\*\*" \(encrypted_regex "\^password\$".*db\.user in cleartext/,
    );
    assert.match(r.stderr, /kmseal rotate/);
    assert.ok(readFileSync(file).equals(before), "nothing was written");
    assert.equal((await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } })).code, 6);
  });

  it("a merge where theirs changed the rule is a conflict, and no value either side encrypted is in cleartext", async () => {
    const dir = await repo("db:\n  user: app\n  password: p1\n", REGEX);
    const r = await merged(
      dir,
      (d) => setIn(d, "db.token", "our-token"),
      async (d) => {
        narrow(d);
        await Promise.resolve();
      },
    );
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /crypt rule changed in this merge/);
    const file = join(dir, FILE);
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /our-token/);
    assert.match((await stored(file)).get("db.token")!, /^ENC\[AES256_GCM,/);
    assert.match(text, /encrypted_regex: \^\(password\|token\)\$/);
    assert.match(text, /kmseal_conflict: .*crypt rule changed/);
    const check = await cli(["check", FILE], { cwd: dir, env: { KMSEAL_AGE_KEY: "" } });
    assert.equal(check.code, 6, check.stderr);
    const plain = await cli(["get", file, "db.token"], { cwd: dir });
    assert.equal(plain.stdout.trim(), "our-token");
  });
});
