import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { coveredFiles, walkPatterns } from "../../../src/ops/inspect/files.js";
import { parseKmsrc, type Kmsrc } from "../../../src/config/kmsrc.js";
import { git, removeDir, tempDir, tempRepo, writeFiles } from "../../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});

function config(root: string, rules: string): Kmsrc {
  const loaded = parseKmsrc(rules, join(root, ".kmsrc"));
  assert.deepEqual(loaded.errors, []);
  return loaded.config;
}

const RULES = 'rules:\n  - path: "config/**"\n  - path: "**/{.env,.env.*}"\n  - path: "tls/key.pem"\n';
const FILES = {
  ".kmsrc": RULES,
  ".gitignore": "config/*.yaml\n!config/*.enc.yaml\n.env\n.env.*\n!*.enc\nconfig/ignored.enc.json\n",
  "config/app.yaml": "a: 1\n",
  "config/app.enc.yaml": "a: ENC[...]\n",
  "config/deep/db.json": "{}",
  "config/ignored.enc.json": "{}",
  ".env": "A=1\n",
  ".env.prod.enc": "A=ENC[...]\n",
  "svc/.env.local": "B=2\n",
  "tls/key.pem": "k",
  "tls/key.pem.enc": "{}",
  "tls/other.pem": "not covered",
  "README.md": "not covered",
  "node_modules/pkg/.env": "skipped",
  "nested/.kmsrc": "rules: []\n",
  "nested/.env": "another project",
};

describe("walkPatterns", () => {
  it("walks below each glob's literal prefix, a literal path's folder, or everything", () => {
    assert.deepEqual(walkPatterns(config("/p", 'rules:\n  - path: "config/prod/**"\n  - path: "tls/key.pem"\n  - path: "top.json"\n')), [
      "*",
      "config/prod/**",
      "tls/*",
    ]);
    assert.deepEqual(walkPatterns(config("/p", RULES)), ["**"]);
  });
});

describe("coveredFiles", () => {
  it("returns covered plaintext files (ignored ones too) and covered encrypted files that git does not ignore", async () => {
    const dir = tempRepo(FILES);
    dirs.push(dir);
    const covered = await coveredFiles(config(dir, RULES));
    const abs = (...names: string[]) => names.map((n) => join(dir, n));
    assert.deepEqual(covered.plaintext, abs(".env", "config/app.yaml", "config/deep/db.json", "svc/.env.local", "tls/key.pem"));
    assert.deepEqual(covered.encrypted, abs(".env.prod.enc", "config/app.enc.yaml", "tls/key.pem.enc"));
  });

  it("keeps a tracked encrypted file even when a .gitignore pattern matches it", async () => {
    const dir = tempRepo(FILES);
    dirs.push(dir);
    git(dir, "add", "-f", "config/ignored.enc.json");
    const covered = await coveredFiles(config(dir, RULES));
    assert.ok(covered.encrypted.includes(join(dir, "config/ignored.enc.json")));
  });

  it("filters nothing outside a git work tree", async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeFiles(dir, FILES);
    const covered = await coveredFiles(config(dir, RULES));
    assert.ok(covered.encrypted.includes(join(dir, "config/ignored.enc.json")));
  });
});
