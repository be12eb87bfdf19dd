import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, cleanEnv, git, removeDir, tempDir, tempRepo, writeFiles } from "../git/temp-repo.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RECORDER = pathToFileURL(fileURLToPath(new URL("./load-recorder.js", import.meta.url))).href;
const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
const KMSRC = `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`;

function kmseal(cwd: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) {
  return spawnSync(process.execPath, [...nodeArgs, CLI_MAIN, ...args], {
    cwd,
    env: cleanEnv({ HOME: cwd, AWS_EC2_METADATA_DISABLED: "true", ...env }),
    encoding: "utf8",
  });
}

function project(files: Record<string, string> = {}): string {
  const dir = tempRepo({ ".kmsrc": KMSRC, ...files });
  dirs.push(dir);
  return dir;
}

describe("kmseal check", () => {
  it("exits 6 with one line per finding naming the file and the command that fixes it", () => {
    const dir = project({ "config/app.yaml": "password: s3cret\n" });
    const r = kmseal(dir, ["check", "config/app.yaml"]);
    assert.equal(r.status, 6, r.stderr);
    assert.match(r.stderr, /^kmseal: config\/app\.yaml: plaintext file \(covered by \.kmsrc rule "config\/\*\*"\) could be committed/m);
    assert.match(
      r.stderr,
      /^ {2}fix: kmseal encrypt config\/app\.yaml && git rm --cached --ignore-unmatch -q config\/app\.yaml && git add config\/app\.enc\.yaml$/m,
    );
    assert.match(r.stderr, /check failed: \d problem\(s\) in 1 of \d file\(s\)/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
  });

  it("exits 0 on clean files and prints a JSON report with --json", async () => {
    const dir = project({ "config/app.yaml": "password: s3cret\n" });
    await encryptFile(join(dir, "config/app.yaml"), {}, services);
    const r = kmseal(dir, ["check", "--json", "config/app.enc.yaml"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, checked: 1, errors: 0, warnings: 0, findings: [] });
    const bad = kmseal(dir, ["check", "--json", "config/app.yaml"]);
    assert.equal(bad.status, 6);
    const report = JSON.parse(bad.stdout) as { ok: boolean; findings: { file: string; kind: string; severity: string; fix: string }[] };
    assert.deepEqual([report.ok, report.findings.map((f) => [f.file, f.kind, f.severity])], [false, [["config/app.yaml", "plaintext-file", "error"]]]);
  });

  describe("--staged over 200 covered files", () => {
    let dir = "";
    const KEY_CODE = /\/\/ node_modules\/(@aws-sdk|@smithy|age-encryption|@noble|@scure)\//;
    before(async () => {
      dir = project();
      for (let i = 0; i < 200; i++) {
        const file = `config/svc${i % 10}/s${i}.yaml`;
        writeFiles(dir, { [file]: `db:\n  user: u${i}\n  password: p${i}\n` });
        await encryptFile(join(dir, file), {}, services);
        rmSync(join(dir, file));
      }
      git(dir, "add", "-A");
    });

    it("is fast and loads neither the AWS SDK nor age (compiled modules)", () => {
      const log = join(dir, ".git", "loaded.txt");
      const start = performance.now();
      const r = kmseal(dir, ["check", "--staged"], { KMSEAL_LOAD_LOG: log }, ["--import", RECORDER]);
      const ms = performance.now() - start;
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /check passed: 200 file\(s\)/);
      const loaded = readFileSync(log, "utf8").split("\n");
      assert.ok(
        loaded.some((u) => u.endsWith("/src/cli/main.js")),
        "the recorder saw the CLI load",
      );
      assert.deepEqual(
        loaded.filter((u) => /\/node_modules\/(@aws-sdk|@smithy|age-encryption)\//.test(u)),
        [],
      );
      assert.ok(ms < 5000, `the whole process took ${ms.toFixed(0)} ms`);
    });

    it("loads no chunk holding AWS SDK or age code (the esbuild bundle)", (t) => {
      const bundle = join(ROOT, "dist", "kmseal.js");
      if (!existsSync(bundle)) {
        t.skip("dist/kmseal.js is not built (npm run build)");
        return;
      }
      const log = join(dir, ".git", "loaded-bundle.txt");
      const r = spawnSync(process.execPath, ["--import", RECORDER, bundle, "check", "--staged"], {
        cwd: dir,
        env: cleanEnv({ HOME: dir, KMSEAL_LOAD_LOG: log }),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      const files = readFileSync(log, "utf8")
        .split("\n")
        .filter((u) => u.startsWith("file:"))
        .map((u) => fileURLToPath(u));
      assert.ok(files.includes(bundle));
      for (const f of files) assert.doesNotMatch(readFileSync(f, "utf8"), KEY_CODE, f);
    });
  });
});

describe("kmseal status / init / hook", () => {
  it("status prints each file's state, and --json an array", async () => {
    const dir = project({ "config/app.yaml": "password: s3cret\n" });
    await encryptFile(join(dir, "config/app.yaml"), {}, services);
    const text = kmseal(dir, ["status"]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^config\/app\.enc\.yaml: encrypted, rule "config\/\*\*", last sealed \S+Z, plaintext copy config\/app\.yaml\n {2}age age1/m);
    const json = JSON.parse(kmseal(dir, ["status", "--json", "config/app.enc.yaml"]).stdout) as { file: string; encrypted: boolean }[];
    assert.deepEqual(
      json.map((s) => [s.file, s.encrypted]),
      [["config/app.enc.yaml", true]],
    );
  });

  it("init writes .kmsrc and .gitignore, then refuses to run again; hook install/uninstall report what they did", () => {
    const dir = tempRepo();
    dirs.push(dir);
    const first = kmseal(dir, ["init", "--age", TEST_AGE_RECIPIENT]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, `${join(dir, ".kmsrc")}\n`);
    assert.ok(existsSync(join(dir, ".gitignore")));
    assert.equal(kmseal(dir, ["init"]).status, 2);
    assert.match(kmseal(dir, ["hook", "install"]).stderr, /installed the kmseal check in .*\.git\/hooks\/pre-commit/);
    assert.match(kmseal(dir, ["hook", "install"]).stderr, /already in/);
    assert.match(kmseal(dir, ["hook", "uninstall"]).stderr, /removed the kmseal check/);
  });
});

describe(".pre-commit-hooks.yaml", () => {
  const manifest = parseYaml(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Record<string, unknown>[];
  const KNOWN = new Set([
    "id",
    "name",
    "entry",
    "language",
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "minimum_pre_commit_version",
    "require_serial",
    "stages",
    "verbose",
  ]);

  it("declares kmseal-check running `kmseal check` on the staged file names", () => {
    assert.equal(manifest.length, 1);
    const hook = manifest[0]!;
    assert.deepEqual([hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]], ["kmseal-check", "kmseal check", "node", true]);
    assert.equal(typeof hook["name"], "string");
    for (const key of Object.keys(hook)) assert.ok(KNOWN.has(key), `unknown manifest key ${key}`);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    assert.ok(pkg.bin["kmseal"] !== undefined, "the entry's program is the package's bin");
  });

  it("passes pre-commit's own validation", (t) => {
    const bin = join(ROOT, ".peers", "bin", "pre-commit");
    if (!existsSync(bin)) {
      t.skip("pre-commit is not installed (scripts/install-peers.sh)");
      return;
    }
    const r = spawnSync(bin, ["validate-manifest", join(ROOT, ".pre-commit-hooks.yaml")], { encoding: "utf8", env: cleanEnv() });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("works under `pre-commit try-repo`: fails on a staged plaintext file, passes its encrypted copy", async (t) => {
    const bin = join(ROOT, ".peers", "bin", "pre-commit");
    const bundle = join(ROOT, "dist", "kmseal.js");
    if (!existsSync(bin)) {
      t.skip("pre-commit is not installed (scripts/install-peers.sh)");
      return;
    }
    if (!existsSync(bundle)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    // The hook repository as pre-commit clones it: the package with its built bundle, committed.
    const pkg = tempRepo();
    dirs.push(pkg);
    for (const f of ["package-lock.json", ".pre-commit-hooks.yaml"]) cpSync(join(ROOT, f), join(pkg, f));
    // Without its scripts: npm "prepares" a git dependency that has a build script with a nested
    // install which, under `npm install -g` (pre-commit's call), races the outer one (ENOTEMPTY with
    // npm 11). dist/ is committed here instead of built by that preparation.
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    delete manifest["scripts"];
    writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true });
    git(pkg, "add", "-A");
    git(pkg, "commit", "-q", "-m", "package");
    const home = tempDir("kmseal-pre-commit-");
    dirs.push(home);
    const dir = project({ "config/app.yaml": "password: s3cret\n" });
    git(dir, "add", "config/app.yaml");
    // npm installs the hook's dependencies; offline, only from the npm cache.
    const env = { PRE_COMMIT_HOME: home, npm_config_offline: "true", npm_config_update_notifier: "false" };
    const tryRepo = () => spawnSync(bin, ["try-repo", pkg, "kmseal-check"], { cwd: dir, env: cleanEnv(env), encoding: "utf8", timeout: 240_000 });
    const bad = tryRepo();
    const out = bad.stdout + bad.stderr;
    if (/An unexpected error has occurred|Installing environment/.test(out) && !/- hook id: kmseal-check/.test(out)) {
      t.skip(
        `pre-commit could not install the node hook offline: ${out.split("\n").filter((l) => /error|ENOTCACHED|ENOTFOUND|EAI_AGAIN/i.test(l))[0] ?? "see its log"}`,
      );
      return;
    }
    assert.equal(bad.status, 1, out);
    assert.match(out, /- exit code: 6/);
    assert.match(out, /config\/app\.yaml: plaintext file/);
    await encryptFile(join(dir, "config/app.yaml"), {}, services);
    git(dir, "rm", "-q", "--cached", "config/app.yaml");
    git(dir, "add", "config/app.enc.yaml");
    const good = tryRepo();
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /kmseal check \(secrets are encrypted\)\.+Passed/);
  });
});
