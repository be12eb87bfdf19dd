import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BLOCK_END, BLOCK_START, HOOK_BLOCK, installHook, uninstallHook, withBlock } from "../../src/git/hook.js";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { git, gitTry, installLocalKmseal, removeDir, tempRepo, writeFiles } from "./temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const repo = (files: Record<string, string> = {}) => {
  const dir = tempRepo(files);
  dirs.push(dir);
  return dir;
};
const EXISTING = '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/existing-hook-ran"\nexit 0\n';

describe("withBlock", () => {
  it("creates a /bin/sh hook holding only the block", () => {
    assert.equal(withBlock(null), `#!/bin/sh\n${HOOK_BLOCK}\n`);
  });

  it("puts the block right after an existing hook's #! line and keeps the rest byte for byte", () => {
    const out = withBlock(EXISTING);
    assert.equal(out, `#!/bin/sh\n${HOOK_BLOCK}\n${EXISTING.slice("#!/bin/sh\n".length)}`);
    assert.ok(out.indexOf(BLOCK_END) < out.indexOf("exit 0"), "the block runs before the hook's own exit");
  });

  it("is idempotent and replaces an outdated block in place", () => {
    const once = withBlock(EXISTING);
    assert.equal(withBlock(once), once);
    const outdated = once.replace(HOOK_BLOCK, `${BLOCK_START}\nkmseal old\n${BLOCK_END}`);
    assert.equal(withBlock(outdated), once);
  });

  it("accepts bash and env shebangs and refuses a hook in another language", () => {
    assert.ok(withBlock("#!/usr/bin/env bash\nexec foo\n").startsWith(`#!/usr/bin/env bash\n${BLOCK_START}`));
    assert.throws(() => withBlock("#!/usr/bin/env python3\nprint(1)\n"), /not a shell script/);
  });
});

describe("installHook / uninstallHook", () => {
  it("creates an executable hook, and a second install changes nothing", async () => {
    const dir = repo();
    const first = await installHook(dir);
    assert.equal(first.action, "installed");
    assert.equal(first.path, join(dir, ".git", "hooks", "pre-commit"));
    assert.equal(statSync(first.path).mode & 0o777, 0o755);
    const text = readFileSync(first.path, "utf8");
    assert.equal((await installHook(dir)).action, "unchanged");
    assert.equal(readFileSync(first.path, "utf8"), text);
  });

  it("uses core.hooksPath, creating the folder", async () => {
    const dir = repo();
    git(dir, "config", "core.hooksPath", "hooks-dir");
    const r = await installHook(dir);
    assert.equal(r.path, join(dir, "hooks-dir", "pre-commit"));
    assert.ok(readFileSync(r.path, "utf8").includes("check --staged"));
  });

  it("uninstall removes only the block, leaving the original hook as it was", async () => {
    const dir = repo();
    const path = join(dir, ".git", "hooks", "pre-commit");
    writeFileSync(path, EXISTING, { mode: 0o700 });
    assert.equal((await installHook(dir)).action, "installed");
    assert.equal(statSync(path).mode & 0o777, 0o755);
    assert.equal((await uninstallHook(dir)).action, "removed");
    assert.equal(readFileSync(path, "utf8"), EXISTING);
    assert.equal((await uninstallHook(dir)).action, "absent");
  });

  it("uninstall deletes a hook that held nothing but the block", async () => {
    const dir = repo();
    const { path } = await installHook(dir);
    await uninstallHook(dir);
    assert.equal(existsSync(path), false);
  });
});

describe("the installed pre-commit hook", () => {
  let dir = "";
  const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
  const commit = (msg: string) => gitTry(dir, ["commit", "-q", "-m", msg]);

  before(async () => {
    dir = repo({ ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`, ".gitignore": "node_modules/\n", README: "x\n" });
    writeFileSync(join(dir, ".git", "hooks", "pre-commit"), EXISTING, { mode: 0o755 });
    installLocalKmseal(dir);
    await installHook(dir);
  });

  it("keeps the existing hook working", () => {
    git(dir, "add", ".kmsrc", ".gitignore", "README");
    const r = commit("init");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, ".git", "existing-hook-ran"), "utf8"), "ran\n");
  });

  it("refuses a staged plaintext covered file, naming it and not its content", () => {
    writeFiles(dir, { "config/app.yaml": "password: hunter2-plaintext\n" });
    git(dir, "add", "config/app.yaml");
    const r = commit("leak");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /config\/app\.yaml: plaintext file/);
    assert.match(r.stderr, /fix: kmseal encrypt config\/app\.yaml/);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  });

  it("accepts the encrypted copy once the plaintext is unstaged", async () => {
    await encryptFile(join(dir, "config", "app.yaml"), {}, services);
    git(dir, "rm", "-q", "--cached", "config/app.yaml");
    git(dir, "add", "config/app.enc.yaml");
    const r = commit("encrypted");
    assert.equal(r.status, 0, r.stderr);
    // Quiet on success: a passing check prints nothing on every commit (failures above still explain themselves).
    assert.equal(r.stderr, "");
  });

  it("still refuses when only the working tree was fixed after staging plaintext", async () => {
    writeFiles(dir, { "config/db.yaml": "password: db-plaintext\n" });
    git(dir, "add", "config/db.yaml");
    await encryptFile(join(dir, "config", "db.yaml"), { inPlace: true }, services);
    const bad = commit("half fixed");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /config\/db\.yaml: plaintext file/);
    git(dir, "add", "config/db.yaml");
    const good = commit("fixed");
    assert.equal(good.status, 0, good.stderr);
  });

  it("refuses a hand-added plaintext value in an .enc.yaml, naming its key", () => {
    appendFileSync(join(dir, "config", "app.enc.yaml"), "api_token: added-by-hand\n");
    git(dir, "add", "config/app.enc.yaml");
    const r = commit("hand edit");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /config\/app\.enc\.yaml: api_token: plaintext value in an encrypted position/);
    assert.doesNotMatch(r.stderr, /added-by-hand/);
    git(dir, "checkout", "HEAD", "--", "config/app.enc.yaml");
  });
});
