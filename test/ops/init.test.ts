import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseKmsrc } from "../../src/config/kmsrc.js";
import { CRYPT_RULE_KINDS } from "../../src/core/policy.js";
import { DEFAULT_EXCLUDE, expandBraces, gitignoreLines, init, starterKmsrc, withIgnoreBlock } from "../../src/ops/init.js";
import { gitTry, removeDir, tempDir, tempRepo, writeFiles } from "../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const EXAMPLE = fileURLToPath(new URL("../../../.kmsrc.example", import.meta.url));

describe("init", () => {
  it("writes a starter .kmsrc that parses without errors or warnings", () => {
    const dir = tempDir();
    dirs.push(dir);
    const r = init({ cwd: dir });
    const loaded = parseKmsrc(readFileSync(r.kmsrc, "utf8"), r.kmsrc);
    assert.deepEqual([loaded.errors, loaded.warnings], [[], []]);
    assert.deepEqual(
      loaded.config.rules.map((x) => x.path),
      ["secrets/**", "**/{.env,.env.*}"],
    );
  });

  it("puts the keys it is given into every rule", () => {
    const text = starterKmsrc(["config/**"], ["alias/app"], ["age1abc"]);
    const rule = parseKmsrc(text, "/p/.kmsrc").config.rules[0]!;
    assert.deepEqual([rule.kms, rule.age], [["alias/app"], ["age1abc"]]);
  });

  it("refuses to overwrite an existing .kmsrc", () => {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
    assert.throws(() => init({ cwd: dir }), /already exists/);
    assert.equal(readFileSync(join(dir, ".kmsrc"), "utf8"), "rules: []\n");
  });

  it("appends its block to .gitignore once, keeping what was there", () => {
    const lines = gitignoreLines(["secrets/**"]);
    const once = withIgnoreBlock("node_modules/", lines);
    assert.ok(once.startsWith("node_modules/\n# >>> kmseal >>>\n"));
    assert.equal(withIgnoreBlock(once, lines), once);
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, ".gitignore"), "dist/\n");
    assert.equal(init({ cwd: dir }).gitignoreChanged, true);
    assert.ok(readFileSync(join(dir, ".gitignore"), "utf8").startsWith("dist/\n# >>> kmseal >>>"));
  });

  it("makes git ignore the plaintext files of its rules but not their encrypted copies", () => {
    const dir = tempRepo();
    dirs.push(dir);
    init({ cwd: dir });
    const plaintext = ["secrets/a.yaml", "secrets/sub/b.json", "secrets/key.pem", ".env", ".env.prod", "app/.env"];
    const encrypted = ["secrets/a.enc.yaml", "secrets/sub/b.enc.json", "secrets/key.pem.enc", ".env.prod.enc", "app/.env.enc"];
    writeFiles(dir, Object.fromEntries([...plaintext, ...encrypted, "other.yaml"].map((p) => [p, "x"])));
    const out = gitTry(dir, ["ls-files", "--others", "--exclude-standard"]);
    assert.deepEqual(
      out.stdout.split("\n").filter(Boolean).sort(),
      [".env.prod.enc", ".gitignore", ".kmsrc", "app/.env.enc", "other.yaml", ...encrypted.filter((p) => p.startsWith("secrets/"))].sort(),
    );
  });
});

describe("gitignoreLines", () => {
  it("anchors patterns, expands braces, re-includes folders and encrypted names", () => {
    assert.deepEqual(gitignoreLines(["config/*.{yaml,json}", "**/.env"]), [
      "/config/*.yaml",
      "/config/*.json",
      "**/.env",
      "!*.enc",
      "!*.enc.json",
      "!*.enc.yaml",
      "!*.enc.yml",
      "*.kmseal-lock",
      ".*.kmseal-*.tmp",
    ]);
    assert.deepEqual(gitignoreLines(["secrets/**"]).slice(0, 2), ["/secrets/**", "!/secrets/**/"]);
    assert.match(gitignoreLines(["x/!(a).yaml"])[0]!, /^# \(not expressible/);
  });

  it("expands nested braces", () => {
    assert.deepEqual(expandBraces("a/{b,c/{d,e}}.yaml"), ["a/b.yaml", "a/c/d.yaml", "a/c/e.yaml"]);
    assert.deepEqual(expandBraces("plain/*.yaml"), ["plain/*.yaml"]);
  });
});

describe(".kmsrc.example", () => {
  const text = readFileSync(EXAMPLE, "utf8");

  it("is a valid .kmsrc with no warnings", () => {
    const loaded = parseKmsrc(text, "/p/.kmsrc");
    assert.deepEqual([loaded.errors, loaded.warnings], [[], []]);
    assert.ok(loaded.config.rules.length >= 2);
  });

  it("documents every field", () => {
    const fields = [
      "aws:",
      "profile",
      "region",
      "mfa_serial",
      "role_arn",
      "session_duration",
      "role_session_name",
      "source_profile",
      "rules:",
      "path",
      "exclude",
      "kms",
      "age",
      "context",
      "mac_only_encrypted",
      "encrypt_comments",
      ...CRYPT_RULE_KINDS,
    ];
    for (const f of fields) assert.ok(new RegExp(`^\\s*#?\\s*-?\\s*${f}`, "m").test(text), f);
  });
});

describe("init and committed templates", () => {
  it("excludes *.example, *.sample and *.template: git does not ignore them and check passes with one staged", async () => {
    const { check } = await import("../../src/ops/inspect/check.js");
    const dir = tempRepo({ ".env.example": "API_TOKEN=changeme\n", "app/.env.sample": "A=1\n", "secrets/db.template": "x\n" });
    dirs.push(dir);
    init({ cwd: dir });
    writeFiles(dir, { ".env.prod": "API_TOKEN=real\n" });
    const untracked = gitTry(dir, ["ls-files", "--others", "--exclude-standard"]).stdout.split("\n").filter(Boolean).sort();
    assert.deepEqual(untracked, [".env.example", ".gitignore", ".kmsrc", "app/.env.sample", "secrets/db.template"]);
    gitTry(dir, ["add", ".env.example", "app/.env.sample", "secrets/db.template"]);
    const report = await check({ cwd: dir, staged: true });
    assert.deepEqual([report.ok, report.findings], [true, []]);
    const rules = parseKmsrc(readFileSync(join(dir, ".kmsrc"), "utf8"), join(dir, ".kmsrc")).config.rules;
    assert.deepEqual(
      rules.map((r) => r.exclude),
      [DEFAULT_EXCLUDE, DEFAULT_EXCLUDE],
    );
  });

  it("re-includes a rule's exclusions under its own folder only", () => {
    assert.deepEqual(gitignoreLines([{ path: "secrets/**", exclude: ["*.{example,sample}", "secrets/keep.yaml"] }]).slice(0, 5), [
      "/secrets/**",
      "!/secrets/**/",
      "!/secrets/**/*.example",
      "!/secrets/**/*.sample",
      "!/secrets/keep.yaml",
    ]);
    assert.deepEqual(gitignoreLines([{ path: "**/.env.*", exclude: ["*.example"] }]).slice(0, 3), ["**/.env.*", "!**/.env.*/", "!**/*.example"]);
  });
});

describe("init --update", () => {
  it("brings the .gitignore block up to date with every rule of .kmsrc, idempotently", () => {
    const dir = tempRepo();
    dirs.push(dir);
    init({ cwd: dir });
    const kmsrc = readFileSync(join(dir, ".kmsrc"), "utf8");
    writeFileSync(join(dir, ".kmsrc"), kmsrc + '  - path: "config/prod/*.yaml"\n    age: [age1abc]\n');
    writeFiles(dir, {
      "config/prod/app.yaml": "a: 1\n",
      "config/prod/app.enc.yaml": "x",
      ".gitignore": readFileSync(join(dir, ".gitignore"), "utf8") + "dist/\n",
    });
    assert.deepEqual(gitTry(dir, ["check-ignore", "config/prod/app.yaml"]).status, 1);
    const first = init({ cwd: dir, update: true });
    assert.deepEqual([first.kmsrcWritten, first.gitignoreChanged], [false, true]);
    assert.equal(gitTry(dir, ["check-ignore", "config/prod/app.yaml"]).status, 0);
    assert.equal(gitTry(dir, ["check-ignore", "config/prod/app.enc.yaml"]).status, 1);
    const text = readFileSync(join(dir, ".gitignore"), "utf8");
    assert.equal(text.split("# >>> kmseal >>>").length, 2);
    assert.ok(text.endsWith("dist/\n"));
    assert.equal(init({ cwd: dir, update: true }).gitignoreChanged, false);
    assert.equal(readFileSync(join(dir, ".gitignore"), "utf8"), text);
    assert.equal(readFileSync(join(dir, ".kmsrc"), "utf8"), kmsrc + '  - path: "config/prod/*.yaml"\n    age: [age1abc]\n');
  });

  it("needs a .kmsrc and takes no rule flags", () => {
    const dir = tempDir();
    dirs.push(dir);
    assert.throws(() => init({ cwd: dir, update: true }), /no \.kmsrc here/);
    init({ cwd: dir });
    assert.throws(() => init({ cwd: dir, update: true, paths: ["x/**"] }), /takes no --path/);
  });
});
