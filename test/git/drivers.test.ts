import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { findKmsrc } from "../../src/config/kmsrc.js";
import { installDiffDriver, uninstallDiffDriver } from "../../src/git/diff-driver.js";
import { blockText, withBlock } from "../../src/git/driver.js";
import { installMergeDriver, MERGE_DRIVER, uninstallMergeDriver } from "../../src/git/merge-driver.js";
import { decryptFile } from "../../src/ops/decrypt.js";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { setValue } from "../../src/ops/set.js";
import { loadStore } from "../../src/stores/registry.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, git, gitTry, installLocalKmseal, removeDir, tempRepo } from "./temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" }, notice: () => undefined });
/** The environment git runs the drivers in: with the key, or with none at all. */
const WITH_KEY = { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home" };
const NO_KEY = { HOME: "/nonexistent-home" };
const COMMAND = `${process.execPath} ${CLI_MAIN}`;
/** The project root the CLI hands the drivers: the folder of the nearest .kmsrc. */
const rootOf = (dir: string) => {
  const kmsrc = findKmsrc(dir);
  return kmsrc === null ? null : dirname(kmsrc);
};
const set = (dir: string, path: string, value: string) => setValue(join(dir, "config/app.enc.yaml"), path.split("."), { type: "str", value }, {}, services);

/** A repository holding one committed encrypted file, config/app.enc.yaml. */
async function project(plain = "db:\n  user: app\n  password: old-pass\napi:\n  token: tok-1\n"): Promise<string> {
  const dir = tempRepo({
    ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`,
    ".gitignore": "node_modules/\nconfig/*.yaml\n!config/*.enc.yaml\n",
    "config/app.yaml": plain,
  });
  dirs.push(dir);
  await encryptFile(join(dir, "config/app.yaml"), {}, services);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

/** The `-`/`+` lines of a patch, without its `---`/`+++` headers. */
const changedLines = (patch: string) => patch.split("\n").filter((l) => /^[-+](?![-+]{2} )/.test(l));
const leaves = async (dir: string) =>
  new Map(
    (await loadStore("yaml"))
      .parse(readFileSync(join(dir, "config/app.enc.yaml")))
      .leaves.filter((l) => l.kind === "value")
      .map((l) => [l.path.join("."), Buffer.from(l.value.bytes).toString("utf8")]),
  );

describe("installDriver / uninstallDriver", () => {
  it("adds a marked .gitattributes block and git config, idempotently", async () => {
    const dir = await project();
    writeFileSync(join(dir, ".gitattributes"), "*.png binary\n");
    assert.equal((await installDiffDriver(dir, rootOf(dir), { command: COMMAND })).action, "installed");
    assert.equal((await installDiffDriver(dir, rootOf(dir), { command: COMMAND })).action, "unchanged");
    assert.equal((await installMergeDriver(dir, rootOf(dir), { command: COMMAND })).action, "installed");
    const attributes = readFileSync(join(dir, ".gitattributes"), "utf8");
    assert.ok(attributes.startsWith("*.png binary\n# >>> kmseal diff >>>\n"));
    assert.match(attributes, /^\*\.enc\.yaml diff=kmseal$/m);
    assert.match(attributes, /^\*\.enc merge=kmseal$/m);
    assert.equal(git(dir, "config", "diff.kmseal.textconv").trim(), `${COMMAND} textconv`);
    assert.equal(git(dir, "config", "merge.kmseal.driver").trim(), `${COMMAND} merge %O %A %B %P`);
    assert.equal(git(dir, "check-attr", "diff", "merge", "--", "config/x.enc.yaml"), "config/x.enc.yaml: diff: kmseal\nconfig/x.enc.yaml: merge: kmseal\n");
  });

  it("uninstall removes only what install added", async () => {
    const dir = await project();
    writeFileSync(join(dir, ".gitattributes"), "*.png binary\n");
    git(dir, "config", "merge.kmseal.recursive", "binary");
    await installDiffDriver(dir, rootOf(dir), { command: COMMAND });
    await installMergeDriver(dir, rootOf(dir), { command: COMMAND });
    assert.equal((await uninstallDiffDriver(dir, rootOf(dir))).action, "removed");
    assert.equal((await uninstallMergeDriver(dir, rootOf(dir))).action, "removed");
    assert.equal(readFileSync(join(dir, ".gitattributes"), "utf8"), "*.png binary\n");
    assert.equal(gitTry(dir, ["config", "--get-regexp", "^diff\\.kmseal"]).status, 1);
    assert.equal(git(dir, "config", "--get-regexp", "^merge\\.kmseal").trim(), "merge.kmseal.recursive binary");
    assert.equal((await uninstallDiffDriver(dir, rootOf(dir))).action, "absent");
  });

  it("deletes a .gitattributes that held nothing else, and replaces an outdated block in place", async () => {
    const dir = await project();
    await installDiffDriver(dir, rootOf(dir), { command: COMMAND });
    await uninstallDiffDriver(dir, rootOf(dir));
    assert.equal(existsSync(join(dir, ".gitattributes")), false);
    const outdated = "a\n# >>> kmseal merge >>>\nold\n# <<< kmseal merge <<<\nb\n";
    assert.equal(withBlock(outdated, MERGE_DRIVER), `a\n${blockText(MERGE_DRIVER)}b\n`);
  });

  it("points git at the project's node_modules/.bin/kmseal when there is one", async () => {
    const dir = await project();
    installLocalKmseal(dir);
    await installDiffDriver(dir, rootOf(dir));
    assert.equal(git(dir, "config", "diff.kmseal.textconv").trim(), "./node_modules/.bin/kmseal textconv");
  });
});

describe("git diff with the textconv driver", () => {
  it("shows the old and new plaintext of a changed value", async () => {
    const dir = await project();
    installLocalKmseal(dir);
    await installDiffDriver(dir, rootOf(dir));
    await set(dir, "db.password", "new-pass");
    git(dir, "commit", "-q", "-am", "change");
    const r = gitTry(dir, ["diff", "HEAD~1", "--", "config/app.enc.yaml"], WITH_KEY);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^- {2}password: old-pass$/m);
    assert.match(r.stdout, /^\+ {2}password: new-pass$/m);
    assert.deepEqual(changedLines(r.stdout), ["-  password: old-pass", "+  password: new-pass"]);
  });

  it("shows the encrypted text of a file the key cannot open, without failing", async () => {
    const dir = await project();
    await installDiffDriver(dir, rootOf(dir), { command: COMMAND });
    await set(dir, "db.password", "new-pass");
    git(dir, "commit", "-q", "-am", "change");
    const r = gitTry(dir, ["log", "-p", "-1", "--", "config/app.enc.yaml"], NO_KEY);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^[-+] {2}password: ENC\[AES256_GCM,/m);
    assert.doesNotMatch(r.stdout, /new-pass|old-pass/);
    assert.match(r.stderr, /showing the encrypted text/);
  });
});

describe("git merge with the merge driver", () => {
  async function branches(ours: [string, string][], theirs: [string, string][]): Promise<string> {
    const dir = await project();
    await installDiffDriver(dir, rootOf(dir), { command: COMMAND });
    await installMergeDriver(dir, rootOf(dir), { command: COMMAND });
    git(dir, "add", ".gitattributes");
    git(dir, "commit", "-q", "-m", "drivers");
    git(dir, "checkout", "-q", "-b", "theirs");
    for (const [k, v] of theirs) await set(dir, k, v);
    git(dir, "commit", "-q", "-am", "theirs");
    git(dir, "checkout", "-q", "main");
    for (const [k, v] of ours) await set(dir, k, v);
    git(dir, "commit", "-q", "-am", "ours");
    return dir;
  }

  it("merges two branches that change different secrets of one file, keeping the other ciphertexts", async () => {
    const dir = await branches([["db.password", "our-pass"]], [["api.token", "their-token"]]);
    const ours = await leaves(dir);
    git(dir, "checkout", "-q", "theirs");
    const theirs = await leaves(dir);
    git(dir, "checkout", "-q", "main");
    const r = gitTry(dir, ["merge", "--no-edit", "theirs"], WITH_KEY);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const show = gitTry(dir, ["show", "HEAD:config/app.enc.yaml"]);
    assert.doesNotMatch(show.stdout, /our-pass|their-token/);
    const plain = Buffer.from((await decryptFile(join(dir, "config/app.enc.yaml"), { stdout: true }, services)).bytes).toString("utf8");
    assert.equal(plain, "db:\n  user: app\n  password: our-pass\napi:\n  token: their-token\n");
    const merged = await leaves(dir);
    assert.equal(merged.get("db.user"), ours.get("db.user"));
    assert.equal(merged.get("db.password"), ours.get("db.password"));
    assert.equal(merged.get("api.token"), theirs.get("api.token"));
    const diff = gitTry(dir, ["diff", "HEAD~1", "HEAD", "--", "config/app.enc.yaml"], WITH_KEY);
    assert.deepEqual(changedLines(diff.stdout), ["-  token: tok-1", "+  token: their-token"]);
  });

  it("fails a real conflict, naming the key path, with the markers encrypted in the file", async () => {
    const dir = await branches(
      [["db.password", "our-pass"]],
      [
        ["db.password", "their-pass"],
        ["api.token", "their-token"],
      ],
    );
    const r = gitTry(dir, ["merge", "--no-edit", "theirs"], WITH_KEY);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /CONFLICT \(content\): Merge conflict in config\/app\.enc\.yaml/);
    assert.match(r.stderr, /config\/app\.enc\.yaml: conflict: changed differently on both sides: db\.password/);
    assert.doesNotMatch(r.stdout + r.stderr, /our-pass|their-pass/);
    const raw = readFileSync(join(dir, "config/app.enc.yaml"), "utf8");
    assert.doesNotMatch(raw, /our-pass|their-pass|<<<<<<</);
    const diff = gitTry(dir, ["diff", "--", "config/app.enc.yaml"], WITH_KEY);
    assert.match(diff.stdout, /password: "<<<<<<< ours\\nour-pass\\n=======\\ntheir-pass\\n>>>>>>> theirs"/);
    assert.match(diff.stdout, /token: their-token/);
  });

  it("merges a file with an encrypted name that is not encrypted line by line, as git would", async () => {
    const dir = await project();
    await installMergeDriver(dir, rootOf(dir), { command: COMMAND });
    writeFileSync(join(dir, "notes.enc"), "one\ntwo\nthree\nfour\nfive\n");
    git(dir, "add", "notes.enc");
    git(dir, "commit", "-q", "-m", "notes");
    git(dir, "checkout", "-q", "-b", "notes-theirs");
    // Each rewrite changes the size: git could take a same-size, same-second rewrite in place for no change.
    writeFileSync(join(dir, "notes.enc"), "one\ntwo\nthree\nfour\nfive-5\n");
    git(dir, "commit", "-q", "-am", "theirs");
    git(dir, "checkout", "-q", "main");
    writeFileSync(join(dir, "notes.enc"), "one-1\ntwo\nthree\nfour\nfive\n");
    git(dir, "commit", "-q", "-am", "ours");
    const r = gitTry(dir, ["merge", "--no-edit", "notes-theirs"], WITH_KEY);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(dir, "notes.enc"), "utf8"), "one-1\ntwo\nthree\nfour\nfive-5\n");
  });
});
