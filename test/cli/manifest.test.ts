/**
 * The kmseal manifest closes what sops's MAC leaves open: every mutation below still verifies
 * under the sops MAC alone (the first test shows it for each, by removing the manifest), and each
 * must be exit 3 with nothing written once the manifest is there.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";

interface Sample {
  readonly name: string;
  readonly enc: string;
  readonly plain: string;
}

const YAML: Sample = { name: "app.yaml", enc: "app.enc.yaml", plain: "db:\n  user: admin\n  password: s3cr3t\ntoken: abc123\nport: 5432\n" };
const JSON_: Sample = { name: "app.json", enc: "app.enc.json", plain: '{\n  "jwt_secret": "s3cr3t",\n  "port": 5432\n}\n' };
const DOTENV: Sample = { name: ".env", enc: ".env.enc", plain: "JWT_SECRET=s3cr3t\nPORT=5432\n" };

async function sealed(sample: Sample): Promise<{ dir: string; enc: string; text: string }> {
  const dir = testdir({ ".kmsrc": "rules: []\n", [sample.name]: sample.plain });
  const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, sample.name)]);
  assert.equal(r.code, 0, r.stderr);
  const enc = join(dir, sample.enc);
  return { dir, enc, text: readFileSync(enc, "utf8") };
}

/** The file without its manifest: what a sops reader (or a kmseal without manifests) sees. */
function withoutManifest(text: string): string {
  return text
    .replace(/^ *kmseal_manifest: .*\n/m, "")
    .replace(/^ *"kmseal_manifest": .*,\n/m, "")
    .replace(/^sops_kmseal_manifest=.*\n/m, "");
}

const mutations: [string, Sample, (t: string) => string][] = [
  ["an empty value appended to a .env", DOTENV, (t) => t.replace(/^(PORT=.*\n)/m, "$1JWT_SECRET=\n")],
  ["an empty JSON member after the real one", JSON_, (t) => t.replace(/("port": [^\n]*?)(,?)\n/, '$1,\n  "jwt_secret": ""$2\n')],
  ["a new empty YAML value", YAML, (t) => t.replace("token:", 'admin_password: ""\ntoken:')],
  ["a YAML null added", YAML, (t) => t.replace("token:", "admin_password:\ntoken:")],
  ["a changed type tag (int read as str)", YAML, (t) => t.replace(/(port: ENC\[[^\]]*)type:int\]/, "$1type:str]")],
  ["a changed type tag in a .env", DOTENV, (t) => t.replace(/(PORT=ENC\[[^\]]*)type:str\]/, "$1type:int]")],
  ["a changed crypt rule (YAML)", YAML, (t) => t.replace("unencrypted_suffix: _unencrypted", "unencrypted_regex: ^zzz")],
  ["a changed crypt rule (.env)", DOTENV, (t) => t.replace("sops_unencrypted_suffix=_unencrypted", "sops_unencrypted_regex=^zzz")],
];

describe("the manifest authenticates what the sops MAC leaves open", () => {
  for (const [name, sample, mutate] of mutations) {
    it(`${name}: verifies without the manifest, exit 3 with it, nothing written`, async () => {
      const { dir, enc, text } = await sealed(sample);
      const bad = mutate(text);
      assert.notEqual(bad, text, "the mutation applied");
      assert.match(text, /kmseal_manifest/);

      // The sops MAC alone does not see the change.
      writeFileSync(enc, withoutManifest(bad));
      const loose = await cli(["decrypt", "--stdout", enc]);
      assert.equal(loose.code, 0, loose.stderr);
      assert.match(loose.stderr, /sealed without a kmseal manifest/);

      writeFileSync(enc, bad);
      const r = await cli(["decrypt", enc, "--force"]);
      assert.equal(r.code, 3, r.stderr);
      assert.ok(r.stderr.includes(sample.enc), "names the file");
      assert.ok(!r.stderr.includes("s3cr3t"), "no plaintext in errors");
      assert.equal(readFileSync(join(dir, sample.name), "utf8"), sample.plain, "the plaintext copy is untouched");
      for (const cmd of [
        ["exec", enc, "--", "true"],
        ["get", enc, "port"],
      ]) {
        const again = await cli(cmd);
        assert.equal(again.code, 3, `${cmd[0]!}: ${again.stderr}`);
      }
    });
  }

  it("refuses comment ciphertext moved into a value position (exit 3, nothing written)", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", ".env": "# top secret note\nA=1\n" });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, ".env")])).code, 0);
    const enc = join(dir, ".env.enc");
    const text = readFileSync(enc, "utf8");
    const moved = text.replace(/^#(ENC\[[^\]]*type:comment\])$/m, "=$1");
    assert.notEqual(moved, text);
    writeFileSync(enc, moved);
    const r = await cli(["decrypt", enc, "--force"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readFileSync(join(dir, ".env"), "utf8"), "# top secret note\nA=1\n");
  });

  it("names the key path of an added empty value", async () => {
    const { enc, text } = await sealed(DOTENV);
    writeFileSync(enc, text + "ADMIN_TOKEN=\n");
    const r = await cli(["decrypt", "--stdout", enc]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /\.env\.enc: ADMIN_TOKEN: an empty value was added after the file was sealed/);
  });

  it("refuses a manifest copied from an older version of the same file", async () => {
    const { enc, text: v1 } = await sealed(YAML);
    const r = await cli(["set", enc, "token", "--", "newer"]);
    assert.equal(r.code, 0, r.stderr);
    const v2 = readFileSync(enc, "utf8");
    const old = /kmseal_manifest: (.*)/.exec(v1)![1]!;
    const forged = v2.replace(/kmseal_manifest: .*/, `kmseal_manifest: ${old}`);
    assert.notEqual(forged, v2);
    writeFileSync(enc, forged);
    const d = await cli(["decrypt", "--stdout", enc]);
    assert.equal(d.code, 3, d.stderr);
    assert.match(d.stderr, /kmseal_manifest does not authenticate/);
  });

  it("refuses a manifest from another file sealed under the same data key", async () => {
    const { dir, enc, text } = await sealed(YAML);
    // A copy keeps the data key; a change to it gives it its own MAC and manifest.
    const copy = join(dir, "copy.enc.yaml");
    writeFileSync(copy, text);
    const s = await cli(["set", copy, "token", "--", "other"]);
    assert.equal(s.code, 0, s.stderr);
    const fromCopy = /kmseal_manifest: (.*)/.exec(readFileSync(copy, "utf8"))![1]!;
    writeFileSync(enc, text.replace(/kmseal_manifest: .*/, `kmseal_manifest: ${fromCopy}`));
    const d = await cli(["decrypt", "--stdout", enc]);
    assert.equal(d.code, 3, d.stderr);
  });

  it("a file without a manifest decrypts with a warning, and the next kmseal write adds one", async () => {
    const { enc, text } = await sealed(YAML);
    writeFileSync(enc, withoutManifest(text));
    const d = await cli(["decrypt", "--stdout", enc]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, YAML.plain);
    assert.match(d.stderr, /sealed without a kmseal manifest/);
    const s = await cli(["set", enc, "token", "--", "rotated"]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(readFileSync(enc, "utf8"), /kmseal_manifest: ENC\[/);
    const again = await cli(["decrypt", "--stdout", enc]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /manifest/);
  });

  it("check warns on a file sealed without a manifest; --strict and require_manifest: true fail it; status says so", async () => {
    const { enc, text } = await sealed(YAML);
    writeFileSync(enc, withoutManifest(text));
    const warn = await cli(["check", "--json", enc]);
    assert.equal(warn.code, 0, warn.stderr);
    const report = JSON.parse(warn.stdout) as { findings: { kind: string; severity: string }[] };
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.severity]),
      [["no-manifest", "warning"]],
    );
    assert.equal((await cli(["check", "--strict", enc])).code, 6);
    // A project that requires the manifest (a .kmsrc is read once per process: a second project).
    const strictDir = testdir({ ".kmsrc": "require_manifest: true\nrules: []\n" });
    const strictEnc = join(strictDir, "app.enc.yaml");
    writeFileSync(strictEnc, withoutManifest(text));
    const required = await cli(["check", strictEnc]);
    assert.equal(required.code, 6, required.stderr);
    assert.match(required.stdout + required.stderr, /sealed without a kmseal manifest.*require_manifest: true/);
    const status = await cli(["status", enc]);
    assert.match(status.stdout + status.stderr, /sealed without a kmseal manifest/);
    // With the manifest back (any kmseal write that changes the file), the check passes.
    assert.equal((await cli(["rotate", enc])).code, 0);
    assert.equal((await cli(["check", enc])).code, 0);
  });

  it("every write path keeps a valid manifest: set, unset, rotate, updatekeys, mv", async () => {
    const dir = testdir({ ".kmsrc": `rules:\n  - path: "*.yaml"\n    age: [${TEST_AGE_RECIPIENT}]\n`, "app.yaml": YAML.plain });
    assert.equal((await cli(["encrypt", join(dir, "app.yaml")])).code, 0);
    const enc = join(dir, "app.enc.yaml");
    const editor = join(dir, "editor.sh");
    writeFileSync(editor, "#!/bin/sh\nsed -i 's/admin/root/' \"$1\"\n", { mode: 0o755 });
    const runtime = join(dir, "runtime");
    mkdirSync(runtime, { mode: 0o700 });
    const edited = await cli(["edit", enc], { env: { EDITOR: editor, PATH: process.env["PATH"], XDG_RUNTIME_DIR: runtime } });
    assert.equal(edited.code, 0, edited.stderr);
    assert.match((await cli(["decrypt", "--stdout", enc])).stdout, /user: root/);
    const steps: string[][] = [
      ["set", enc, "extra", "--", ""],
      ["unset", enc, "token"],
      ["rotate", enc],
      ["updatekeys", enc],
      ["mv", enc, join(dir, "moved.enc.yaml")],
    ];
    let current = enc;
    for (const step of steps) {
      const r = await cli(step);
      assert.equal(r.code, 0, `${step.join(" ")}: ${r.stderr}`);
      if (step[0] === "mv") current = step[2]!;
      assert.match(readFileSync(current, "utf8"), /kmseal_manifest: ENC\[/, step[0]);
      const d = await cli(["decrypt", "--stdout", current]);
      assert.equal(d.code, 0, `${step[0]!}: ${d.stderr}`);
      assert.doesNotMatch(d.stderr, /manifest/);
    }
    // The empty value set above is part of the manifest: removing it is noticed too.
    const text = readFileSync(current, "utf8");
    writeFileSync(current, text.replace(/^extra: ""\n/m, ""));
    assert.notEqual(readFileSync(current, "utf8"), text);
    const d = await cli(["decrypt", "--stdout", current]);
    assert.equal(d.code, 3, d.stderr);
    // mv moved the plaintext copy along; the refused decrypt wrote nothing over it.
    assert.equal(readFileSync(join(dir, "moved.yaml"), "utf8"), YAML.plain);
  });
});
