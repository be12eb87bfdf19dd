import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { EncryptCommand } from "@aws-sdk/client-kms";
import { parse } from "yaml";
import { parseKmsrc } from "../../src/config/kmsrc.js";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { git, removeDir, tempRepo } from "../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});

const { kms, reset } = fakeKms();
const OTHER = "age1qu5u6sdptdet80uya9xt53g6xjhcw5tczuht0hu8pl4eav78ac6sjxalj3";
const ROLE = "arn:aws:iam::123456789012:role/sops";
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };

const TWO_RULES = [
  "creation_rules:",
  "  - path_regex: ^secrets/.*\\.yaml$",
  "    encrypted_regex: ^(password|token)$",
  `    age: ${TEST_AGE_RECIPIENT}`,
  `  - age: "${TEST_AGE_RECIPIENT},${OTHER}"`,
  "",
].join("\n");

interface Sealed {
  [k: string]: unknown;
  sops: {
    age?: { recipient: string }[];
    kms?: { arn: string; role?: string; aws_profile: string; context?: Record<string, string> }[];
    encrypted_regex?: string;
  };
}
const read = (path: string) => parse(readFileSync(path, "utf8")) as Sealed;

describe("a repository with only a .sops.yaml", () => {
  beforeEach(() => {
    reset();
  });

  it("seals each file with its creation rule's recipients and crypt rule", async () => {
    const dir = testdir({
      ".sops.yaml": TWO_RULES,
      "secrets/db.yaml": "user: bob\npassword: hunter2\nnested:\n  token: t0k\n  host: db\n",
      "app/config.yaml": "a: 1\nb: two\n",
    });
    const r = await cli(["encrypt", "secrets/db.yaml", "app/config.yaml"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /created an age identity/);
    const db = read(join(dir, "secrets/db.enc.yaml"));
    assert.deepEqual(
      db.sops.age!.map((a) => a.recipient),
      [TEST_AGE_RECIPIENT],
    );
    assert.equal(db.sops.encrypted_regex, "^(password|token)$");
    assert.equal(db["user"], "bob");
    assert.match(String(db["password"]), /^ENC\[/);
    assert.match(String((db["nested"] as Record<string, string>)["token"]), /^ENC\[/);
    assert.equal((db["nested"] as Record<string, string>)["host"], "db");
    const app = read(join(dir, "app/config.enc.yaml"));
    assert.deepEqual(app.sops.age!.map((a) => a.recipient).sort(), [TEST_AGE_RECIPIENT, OTHER].sort());
    assert.match(String(app["b"]), /^ENC\[/);
    const back = await cli(["decrypt", "--stdout", "secrets/db.enc.yaml"], { cwd: dir });
    assert.equal(back.stdout, "user: bob\npassword: hunter2\nnested:\n  token: t0k\n  host: db\n");
  });

  it("status names the config and the rule it used", async () => {
    const dir = testdir({ ".sops.yaml": TWO_RULES, "secrets/db.yaml": "password: x\n", "app/c.yaml": "a: 1\n" });
    assert.equal((await cli(["encrypt", "secrets/db.yaml", "app/c.yaml"], { cwd: dir })).code, 0);
    const text = await cli(["status", "secrets/db.enc.yaml", "app/c.enc.yaml"], { cwd: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /secrets\/db\.enc\.yaml: encrypted, rule \.sops\.yaml creation_rules\[0\] path_regex "\^secrets\/\.\*\\\.yaml\$", config \.sops\.yaml/,
    );
    assert.match(text.stdout, /app\/c\.enc\.yaml: encrypted, rule \.sops\.yaml creation_rules\[1\] \(no path_regex: every file\), config \.sops\.yaml/);
    const json = JSON.parse((await cli(["status", "--json", "secrets/db.enc.yaml"], { cwd: dir })).stdout) as { config: unknown; rule: string }[];
    assert.deepEqual(json[0]!.config, { file: ".sops.yaml", kind: "sops" });
    assert.match(json[0]!.rule, /^\.sops\.yaml creation_rules\[0\]/);
    // Another project (the config of a folder is cached for the process): .kmsrc wins over .sops.yaml.
    const both = testdir({ ".sops.yaml": TWO_RULES, ".kmsrc": `rules: [{ path: "**", age: [${TEST_AGE_RECIPIENT}] }]\n`, "s.yaml": "a: 1\n" });
    assert.equal((await cli(["encrypt", "s.yaml"], { cwd: both })).code, 0);
    const kmsrc = JSON.parse((await cli(["status", "--json", "s.enc.yaml"], { cwd: both })).stdout) as { config: unknown; rule: string }[];
    assert.deepEqual(kmsrc[0]!.config, { file: ".kmsrc", kind: "kmsrc" });
    assert.equal(kmsrc[0]!.rule, "**");
  });

  it("gives KMS keys sops's context (the key group's, else --context), never file=, and records role and profile", async () => {
    const dir = testdir({
      ".sops.yaml": [
        "creation_rules:",
        "  - path_regex: ^grouped/",
        "    key_groups:",
        "      - kms:",
        `          - arn: ${FAKE_ARN}`,
        `            role: ${ROLE}`,
        "            aws_profile: team",
        "            context: { app: billing }",
        `  - kms: ${FAKE_ARN}+${ROLE}`,
        "",
      ].join("\n"),
      "grouped/a.yaml": "k: v\n",
      "flat/b.yaml": "k: v\n",
    });
    const r = await cli(["encrypt", "grouped/a.yaml", "--context", "ignored=by-key-groups"], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    const r2 = await cli(["encrypt", "flat/b.yaml", "--context", "env=prod"], { cwd: dir, env });
    assert.equal(r2.code, 0, r2.stderr);
    const contexts = kms.commandCalls(EncryptCommand).map((c) => c.args[0].input.EncryptionContext);
    assert.deepEqual(contexts, [{ app: "billing" }, { env: "prod" }]);
    const a = read(join(dir, "grouped/a.enc.yaml")).sops.kms![0]!;
    assert.deepEqual([a.role, a.aws_profile, a.context], [ROLE, "team", { app: "billing" }]);
    const b = read(join(dir, "flat/b.enc.yaml")).sops.kms![0]!;
    assert.deepEqual([b.role, b.context], [ROLE, { env: "prod" }]);
    const back = await cli(["decrypt", "--stdout", "grouped/a.enc.yaml"], { cwd: dir, env });
    assert.equal(back.stdout, "k: v\n", back.stderr);
    // Not bound to its path by design: check has nothing to say, even under --strict.
    const check = await cli(["check", "--strict", "grouped/a.enc.yaml", "flat/b.enc.yaml"], { cwd: dir, env });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.doesNotMatch(check.stdout + check.stderr, /not bound to its path/);
  });

  it("refuses a file whose rule kmseal cannot honour (exit 2), writing nothing", async () => {
    const dir = testdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: ^team/\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n  - age: ${TEST_AGE_RECIPIENT}\n`,
      "team/a.yaml": "k: v\n",
      "other/b.yaml": "k: v\n",
    });
    const r = await cli(["encrypt", "team/a.yaml"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.sops\.yaml creation_rules\[0\] cannot be used by kmseal: it names PGP keys/);
    assert.equal(existsSync(join(dir, "team/a.enc.yaml")), false);
    assert.equal((await cli(["encrypt", "other/b.yaml"], { cwd: dir })).code, 0);
  });

  it("refuses a file no creation rule matches, as sops does, instead of using a personal key", async () => {
    const dir = testdir({ ".sops.yaml": `creation_rules:\n  - path_regex: ^secrets/\n    age: ${TEST_AGE_RECIPIENT}\n`, "x.yaml": "k: v\n" });
    const r = await cli(["encrypt", "x.yaml"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no creation rule in .*\.sops\.yaml matches x\.yaml/);
    assert.equal(existsSync(join(dir, "x.enc.yaml")), false);
  });
});

describe("coverage in a .sops.yaml project", () => {
  it("check --staged lets plaintext files through (a creation rule picks keys, it does not mark secrets) but still checks sealed files", async () => {
    const dir = tempRepo({ ".sops.yaml": TWO_RULES, "README.md": "# app\n", "secrets/db.yaml": "password: hunter2\n" });
    dirs.push(dir);
    assert.equal((await cli(["encrypt", "secrets/db.yaml"], { cwd: dir })).code, 0);
    git(dir, "add", "README.md", ".sops.yaml", "secrets/db.enc.yaml");
    const ok = await cli(["check", "--staged"], { cwd: dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const sealed = readFileSync(join(dir, "secrets/db.enc.yaml"), "utf8");
    writeFileSync(join(dir, "secrets/db.enc.yaml"), sealed.replace(/^password: ENC\[.*$/m, "password: hunter2"));
    git(dir, "add", "secrets/db.enc.yaml");
    const bad = await cli(["check", "--staged"], { cwd: dir });
    assert.equal(bad.code, 6, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /secrets\/db\.enc\.yaml.*password.*plaintext value/);
  });

  it("--all reaches only sealed files: encrypt --all does not seal the whole repository under a catch-all rule", async () => {
    const dir = testdir({ ".sops.yaml": TWO_RULES, "README.md": "# app\n", "secrets/db.yaml": "password: x\n" });
    assert.equal((await cli(["encrypt", "secrets/db.yaml"], { cwd: dir })).code, 0);
    await cli(["encrypt", "--all"], { cwd: dir });
    assert.equal(existsSync(join(dir, "README.md.enc")), false);
    const status = JSON.parse((await cli(["status", "--json", "--all"], { cwd: dir })).stdout) as { file: string }[];
    assert.deepEqual(
      status.map((s) => s.file),
      ["secrets/db.enc.yaml"],
    );
  });
});

describe("init --from-sops", () => {
  it("writes a .kmsrc that picks the same rule, keys and crypt rule for every file", async () => {
    const dir = testdir({ ".sops.yaml": TWO_RULES, "secrets/db.yaml": "user: bob\npassword: x\n", "app/c.yaml": "a: 1\n" });
    const r = await cli(["init", "--from-sops"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, join(dir, ".kmsrc") + "\n");
    assert.match(r.stderr, /everything was carried over/);
    assert.match(r.stderr, /note: \.sops\.yaml creation_rules\[1\] matches every file: as a \.kmsrc rule it marks README\.md/);
    assert.match(r.stderr, /note: meaning: a \.kmsrc rule marks the files it matches as secrets/);
    const loaded = parseKmsrc(readFileSync(join(dir, ".kmsrc"), "utf8"), join(dir, ".kmsrc"));
    assert.deepEqual([loaded.errors, loaded.warnings], [[], []]);
    assert.deepEqual(
      loaded.config.rules.map((x) => [x.pathRegex, x.age, x.crypt]),
      [
        ["^secrets/.*\\.yaml$", [TEST_AGE_RECIPIENT], { kind: "encrypted_regex", value: "^(password|token)$" }],
        ["", [TEST_AGE_RECIPIENT, OTHER], undefined],
      ],
    );
    const enc = await cli(["encrypt", "secrets/db.yaml", "app/c.yaml"], { cwd: dir });
    assert.equal(enc.code, 0, enc.stderr);
    const db = read(join(dir, "secrets/db.enc.yaml"));
    assert.deepEqual([db["user"], db.sops.encrypted_regex, db.sops.age!.length], ["bob", "^(password|token)$", 1]);
    assert.equal(read(join(dir, "app/c.enc.yaml")).sops.age!.length, 2);
    assert.match(readFileSync(join(dir, ".gitignore"), "utf8"), /path_regex rule is not expressible in \.gitignore/);
  });

  it("lists what it cannot carry over and comments out rules it cannot honour", async () => {
    const dir = testdir({
      ".sops.yaml": [
        "creation_rules:",
        "  - path_regex: ^pgp/",
        "    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4",
        `  - path_regex: ^prod/`,
        `    kms: ${FAKE_ARN}+${ROLE}`,
        "    aws_profile: prod",
        `    age: ${OTHER}`,
        "  - key_groups:",
        "      - kms:",
        `          - arn: ${FAKE_ARN}`,
        "            context: { app: billing }",
        "destination_rules: []",
        "",
      ].join("\n"),
    });
    const r = await cli(["init", "--from-sops"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /not carried over:\n/);
    assert.match(r.stderr, /creation_rules\[0\] cannot be used by kmseal: it names PGP keys.*written commented out/);
    assert.match(r.stderr, /the role arn:aws:iam::123456789012:role\/sops of arn:aws:kms/);
    assert.match(r.stderr, /aws_profile differs between keys \(prod, \(none\)\)/);
    assert.match(r.stderr, /binds each sealed file to its path/);
    assert.match(r.stderr, /destination_rules/);
    const text = readFileSync(join(dir, ".kmsrc"), "utf8");
    const loaded = parseKmsrc(text, join(dir, ".kmsrc"));
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(
      loaded.config.rules.map((x) => [x.pathRegex, x.kms, x.age, x.context]),
      [
        ["^prod/", [FAKE_ARN], [OTHER], {}],
        ["", [FAKE_ARN], [], { app: "billing" }],
      ],
    );
    assert.match(text, /\n {2}# - path_regex: "\^pgp\/"\n/);
  });

  it("will not overwrite a .kmsrc, and needs a .sops.yaml", async () => {
    const dir = testdir({ ".sops.yaml": TWO_RULES, ".kmsrc": "rules: []\n" });
    const r = await cli(["init", "--from-sops"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.kmsrc already exists next to \.sops\.yaml/);
    assert.equal(readFileSync(join(dir, ".kmsrc"), "utf8"), "rules: []\n");
    const none = await cli(["init", "--from-sops"], { cwd: testdir({}) });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no \.sops\.yaml here or above/);
  });
});
