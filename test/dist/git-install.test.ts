/**
 * The install routes that build kmseal from source, since dist/ is not committed: `npm install` of
 * a git URL (npm runs `prepare` in a clone), and the pre-commit framework's `repo:`/`rev:` recipe
 * (`npm install -g git+file://…`, where npm's nested preparation inherits the global flag — see
 * scripts/prepare.mjs). Both from a fresh copy of the repository with no dist/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { HOOK_BLOCK } from "../../src/git/hook.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { PEERS_BIN } from "../peers/harness/paths.js";
import { peersRequired } from "../peers/harness/peers.js";
import { cleanEnv, consumerProject, removeTempDirs, sourceClone, tempDir, REPO_ROOT } from "./install.js";

after(removeTempDirs);

describe("installed from git, built by prepare", () => {
  let clone = "";
  before(() => {
    clone = sourceClone();
    assert.equal(existsSync(join(clone, "dist")), false);
  });

  it("npm install git+file://: npx kmseal, import, require and --import kmseal/config work", () => {
    const { dir, install } = consumerProject(`git+file://${clone}`);
    assert.equal(install.status, 0, install.stdout + install.stderr);
    const env = cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY });
    writeFileSync(join(dir, "a.yaml"), "token: t0k\n");
    const enc = spawnSync("npx", ["--no-install", "kmseal", "encrypt", "--age", TEST_AGE_RECIPIENT, "a.yaml"], { cwd: dir, env, encoding: "utf8" });
    assert.equal(enc.status, 0, enc.stderr);
    const dec = spawnSync("npx", ["--no-install", "kmseal", "decrypt", "--stdout", "a.enc.yaml"], { cwd: dir, env, encoding: "utf8" });
    assert.equal(dec.stdout, "token: t0k\n", dec.stderr);
    const esm = spawnSync(process.execPath, ["--input-type=module", "-e", 'import { decryptText } from "kmseal"; import { readFileSync } from "node:fs"; console.log(await decryptText(readFileSync("a.enc.yaml", "utf8"), { path: "a.enc.yaml" }));'], { cwd: dir, env, encoding: "utf8" });
    assert.equal(esm.stdout, "token: t0k\n\n", esm.stderr);
    const cjs = spawnSync(process.execPath, ["-e", 'console.log(typeof require("kmseal").encryptFile)'], { cwd: dir, env, encoding: "utf8" });
    assert.equal(cjs.stdout, "function\n", cjs.stderr);
    writeFileSync(join(dir, ".env"), "PORT=81\n");
    assert.equal(spawnSync("npx", ["--no-install", "kmseal", "encrypt", "--age", TEST_AGE_RECIPIENT, "-o", ".env.enc", ".env"], { cwd: dir, env }).status, 0);
    const app = spawnSync(process.execPath, ["--import", "kmseal/config", "-e", "console.log(process.env.PORT)"], { cwd: dir, env, encoding: "utf8" });
    assert.equal(app.stdout, "81\n", app.stderr);
    assert.ok(existsSync(join(dir, "node_modules", "kmseal", "dist", "types", "index.d.ts")), "types are built");
  });

  // Known failure, kept running so its output stays visible: with Node 24 as the `node` on PATH,
  // pre-commit's `npm install -g git+file://…` fails inside npm's own git-dependency preparation
  // (npm 11.19, ENOTEMPTY while it reifies @smithy/core); with Node 20 on PATH it passes. Open in issue 15.
  const pathNode = Number(/^v(\d+)/.exec(spawnSync("node", ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? 0);
  const knownFailure = pathNode >= 22 ? `pre-commit's npm install of a git hook fails under Node ${pathNode} (ENOTEMPTY in npm's git-dependency preparation); issue 15` : false;
  it("pre-commit try-repo on the clone builds the node hook and blocks a staged plaintext file", { todo: knownFailure }, (t) => {
    const preCommit = join(PEERS_BIN, "pre-commit");
    if (!existsSync(preCommit)) {
      if (peersRequired()) assert.fail("peers: missing pre-commit — run scripts/install-peers.sh");
      t.skip("pre-commit is not installed (scripts/install-peers.sh)"); return;
    }
    const project = tempDir("kmseal-hooked-");
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@kmseal.invalid", ...args], { cwd: project, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(join(project, ".kmsrc"), `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`);
    mkdirSync(join(project, "config"));
    writeFileSync(join(project, "config", "app.yaml"), "password: s3cret\n");
    git("add", "-A");
    const env = cleanEnv({ PRE_COMMIT_HOME: tempDir("kmseal-pre-commit-home-"), npm_config_prefer_offline: "true" });
    const r = spawnSync(preCommit, ["try-repo", clone, "kmseal-check"], { cwd: project, env, encoding: "utf8", timeout: 900_000 });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.match(out, /- hook id: kmseal-check/);
    assert.match(out, /- exit code: 6/);
    assert.match(out, /config\/app\.yaml: plaintext file/);
    assert.doesNotMatch(out, /s3cret/);
  });
});

describe("install hints", () => {
  it("point at the README's install section, not a registry name nobody published", () => {
    assert.doesNotMatch(HOOK_BLOCK, /npm install[^\n]* kmseal\b/);
    assert.match(HOOK_BLOCK, /README section Install in your project/);
    assert.match(readFileSync(join(REPO_ROOT, "README.md"), "utf8"), /^## Install in your project$/m);
  });
});
