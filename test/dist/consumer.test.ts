/**
 * The package as a user gets it: `npm pack`, installed into a fresh project, then used the four
 * ways the README documents (the bin, `import`, `require`, `node --import kmseal/config`) and
 * type-checked as a TypeScript consumer, on the machine's node and on every release in .nodes/.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { consumerProject, envFor, nodeReleases, packTarball, removeTempDirs, REPO_ROOT } from "./install.js";

after(removeTempDirs);

/** The Node-version notice @aws-sdk prints when it constructs a client on a Node it will drop. */
const SDK_NODE_WARNING = /NodeVersionSupportWarning|AWS SDK for JavaScript \(v3\)/;

describe("the packed package in a fresh project", () => {
  let dir = "";
  let tarball = "";
  before(() => {
    tarball = packTarball();
    const { dir: d, install } = consumerProject(tarball);
    assert.equal(install.status, 0, install.stdout + install.stderr);
    dir = d;
    writeFileSync(join(dir, "app.yaml"), readFileSync(join(REPO_ROOT, "fixtures", "plain", "basic.yaml")));
  });

  it("holds dist/ (bundle, chunks, library, types) and nothing from src/ or test/", () => {
    const r = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" });
    const files = r.stdout.split("\n").filter((f) => f !== "");
    for (const f of ["package/dist/kmseal.js", "package/dist/index.js", "package/dist/env/register.js", "package/dist/types/index.d.ts", "package/dist/types/env/register.d.ts", "package/package.json", "package/README.md", "package/LICENSE"]) {
      assert.ok(files.includes(f), `${f} is in the tarball`);
    }
    assert.ok(files.some((f) => f.startsWith("package/dist/chunks/")));
    assert.deepEqual(files.filter((f) => /^package\/(src|test|build|scripts|fixtures|\.peers|\.nodes)\//.test(f)), []);
  });

  it("declares the Node releases it supports", () => {
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules", "kmseal", "package.json"), "utf8")) as { engines: { node: string } };
    // 20.19 and 22.12 are the first releases that require() an ES module without a flag.
    assert.equal(pkg.engines.node, "^20.19.0 || >=22.12.0");
  });

  for (const node of nodeReleases()) {
    describe(`on node ${node.major}`, () => {
      const env = (extra: Record<string, string> = {}) => envFor(node, { HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, AWS_EC2_METADATA_DISABLED: "true", ...extra });

      it("npx kmseal encrypts and decrypts a fixture with an age key, byte for byte", () => {
        const enc = spawnSync("npx", ["--no-install", "kmseal", "encrypt", "--age", TEST_AGE_RECIPIENT, "-o", "app.enc.yaml", "app.yaml"], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(enc.status, 0, enc.stderr);
        assert.match(readFileSync(join(dir, "app.enc.yaml"), "utf8"), /^ {4}mac: ENC\[AES256_GCM,/m);
        const dec = spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["decrypt", "--stdout", "app.enc.yaml"], { cwd: dir, env: env() });
        assert.equal(dec.status, 0, dec.stderr.toString());
        assert.deepEqual(dec.stdout, readFileSync(join(dir, "app.yaml")));
        const version = spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["--version"], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version);
      });

      it("is imported as ESM and required from CommonJS, with nothing on stderr", () => {
        const script = (load: string) =>
          `${load}
const text = "db:\\n  password: s3cret\\n";
const sealed = await k.encryptText(text, { path: "x.enc.yaml", age: [${JSON.stringify(TEST_AGE_RECIPIENT)}] });
if (sealed.includes("s3cret")) throw new Error("plaintext in the encrypted text");
const back = await k.decryptText(sealed, { path: "x.enc.yaml" });
if (back !== text) throw new Error("round trip changed the text");
console.log(typeof k.KmsealError, Object.keys(k).length > 5);`;
        const esm = spawnSync(node.bin, ["--input-type=module", "-e", script(`import * as k from "kmseal";`)], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(esm.status, 0, esm.stderr);
        assert.equal(esm.stdout, "function true\n");
        assert.equal(esm.stderr, "");
        const cjs = spawnSync(node.bin, ["-e", `(async () => { ${script(`const k = require("kmseal");`)} })().catch((e) => { console.error(e); process.exit(1); });`], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(cjs.status, 0, cjs.stderr);
        assert.equal(cjs.stdout, "function true\n");
        assert.equal(cjs.stderr, "", "require(esm) prints no experimental warning from node_modules");
      });

      it("starts an app with node --import kmseal/config and its secrets in process.env", () => {
        writeFileSync(join(dir, ".env"), "API_TOKEN=tok-123\nPORT=8080\n");
        const enc = spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["encrypt", "--age", TEST_AGE_RECIPIENT, "-o", ".env.enc", ".env"], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(enc.status, 0, enc.stderr);
        writeFileSync(join(dir, "app.mjs"), 'console.log(process.env.API_TOKEN === "tok-123" && process.env.PORT === "8080" ? "ok" : "missing");\n');
        const app = spawnSync(node.bin, ["--import", "kmseal/config", "app.mjs"], { cwd: dir, env: env(), encoding: "utf8" });
        assert.equal(app.status, 0, app.stderr);
        assert.equal(app.stdout, "ok\n");
        assert.equal(app.stderr, "");
      });

      it("prints no AWS SDK Node-version warning when the bin or the library uses KMS", () => {
        // An endpoint nothing listens on: the client is built (where the SDK would warn) and the call fails.
        const kmsEnv = env({ AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "us-east-1", AWS_MAX_ATTEMPTS: "1" });
        const key = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000";
        const bin = spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["encrypt", "--kms", key, "--stdout", "app.yaml"], { cwd: dir, env: kmsEnv, encoding: "utf8", timeout: 60_000 });
        assert.notEqual(bin.status, 0, "no KMS is listening");
        assert.match(bin.stderr, /^kmseal: app\.yaml: KMS Encrypt .* failed: .*ECONNREFUSED/m);
        assert.doesNotMatch(bin.stderr, SDK_NODE_WARNING);
        const lib = spawnSync(node.bin, ["--input-type=module", "-e", `import { encryptText } from "kmseal"; await encryptText("a: 1\\n", { path: "a.enc.yaml", kms: [${JSON.stringify(key)}] }).then(() => process.exit(3), (e) => { console.error(String(e.message)); process.exit(2); });`], { cwd: dir, env: kmsEnv, encoding: "utf8", timeout: 60_000 });
        assert.equal(lib.status, 2, lib.stderr);
        assert.match(lib.stderr, /ECONNREFUSED/);
        assert.doesNotMatch(lib.stderr, SDK_NODE_WARNING);
      });
    });
  }

  it("blocks a commit of a plaintext secret through `kmseal hook install` and through a husky hook file", () => {
    const git = (cwd: string, args: string[], env: NodeJS.ProcessEnv = envFor(nodeReleases()[0]!, { HOME: dir })) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@kmseal.invalid", "-c", "commit.gpgsign=false", ...args], { cwd, env, encoding: "utf8" });
    const repo = join(dir, "hooked");
    mkdirSync(join(repo, "config"), { recursive: true });
    symlinkSync(join(dir, "node_modules"), join(repo, "node_modules"));
    writeFileSync(join(repo, ".kmsrc"), `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`);
    writeFileSync(join(repo, "config", "app.yaml"), "password: s3cret\n");
    assert.equal(git(repo, ["init", "-q"]).status, 0);
    git(repo, ["add", ".kmsrc", "config/app.yaml"]);

    const installed = spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["hook", "install"], { cwd: repo, env: envFor(nodeReleases()[0]!, { HOME: dir }), encoding: "utf8" });
    assert.equal(installed.status, 0, installed.stderr);
    const viaHook = git(repo, ["commit", "-q", "-m", "secret"]);
    assert.notEqual(viaHook.status, 0, "the commit is refused");
    assert.match(viaHook.stderr, /config\/app\.yaml: plaintext file/);
    assert.equal(spawnSync(join(dir, "node_modules", ".bin", "kmseal"), ["hook", "uninstall"], { cwd: repo, env: envFor(nodeReleases()[0]!, { HOME: dir }) }).status, 0);

    // husky v9: core.hooksPath is husky's folder and its wrapper runs .husky/pre-commit with
    // node_modules/.bin on PATH; the same set-up without the husky package itself.
    mkdirSync(join(repo, ".husky"));
    writeFileSync(join(repo, ".husky", "pre-commit"), "kmseal check --staged --quiet\n", { mode: 0o755 });
    git(repo, ["config", "core.hooksPath", ".husky"]);
    const huskyEnv = envFor(nodeReleases()[0]!, { HOME: dir });
    huskyEnv["PATH"] = `${join(repo, "node_modules", ".bin")}:${huskyEnv["PATH"] ?? ""}`;
    const viaHusky = git(repo, ["commit", "-q", "-m", "secret"], huskyEnv);
    assert.notEqual(viaHusky.status, 0, "the commit is refused");
    assert.match(viaHusky.stderr, /config\/app\.yaml: plaintext file/);
    assert.doesNotMatch(viaHook.stderr + viaHusky.stderr, /s3cret/);
  });

  it("installs globally from the tarball (npm install -g) with a working kmseal on PATH", () => {
    const prefix = join(dir, "global");
    const r = spawnSync("npm", ["install", "-g", "--prefer-offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball], { cwd: dir, env: envFor(nodeReleases()[0]!), encoding: "utf8", timeout: 600_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const env = envFor(nodeReleases()[0]!, { HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY });
    env["PATH"] = `${join(prefix, "bin")}:${env["PATH"] ?? ""}`;
    const dec = spawnSync("kmseal", ["decrypt", "--stdout", "app.enc.yaml"], { cwd: dir, env });
    assert.equal(dec.status, 0, dec.stderr.toString());
    assert.deepEqual(dec.stdout, readFileSync(join(dir, "app.yaml")));
  });

  it("type-checks a TypeScript consumer against the shipped declarations", () => {
    writeFileSync(
      join(dir, "consumer.mts"),
      `import { encryptText, decryptText, encryptFile, KmsealError, type EncryptResult } from "kmseal";
import "kmseal/config";
const sealed: Promise<string> = encryptText("a: 1\\n", { format: "yaml", age: ["age1..."] });
const plain: Promise<string> = decryptText("", { path: "x.enc.yaml" });
const file: Promise<EncryptResult> = encryptFile("config/app.yaml", { kms: ["alias/app"] });
const isError = (e: unknown): boolean => e instanceof KmsealError;
// @ts-expect-error encryptText needs the format or a path
void encryptText("a: 1\\n", {}, undefined, "extra");
export { sealed, plain, file, isError };
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "ES2023", types: ["node"], typeRoots: [join(REPO_ROOT, "node_modules", "@types")] },
        files: ["consumer.mts"],
      }),
    );
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // …and the check can fail: a wrong type in the consumer is reported.
    writeFileSync(join(dir, "consumer.mts"), `import { encryptText } from "kmseal";\nconst n: number = await encryptText("", { format: "yaml" });\nexport { n };\n`);
    const bad = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /consumer\.mts.*TS2322/);
  });
});
