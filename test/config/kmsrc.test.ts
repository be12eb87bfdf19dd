import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it, mock } from "node:test";
import { loadKmsrc, parseKmsrc } from "../../src/config/kmsrc.js";
import { ConfigError } from "../../src/core/errors.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, cleanEnv, removeDir, tempDir, writeFiles } from "../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});

function project(kmsrc: string): string {
  const dir = tempDir();
  dirs.push(dir);
  writeFiles(dir, { ".kmsrc": kmsrc, "config/a.yaml": "a: 1\n" });
  return dir;
}

describe(".kmsrc problems", () => {
  it("locate each warning and error at its key", () => {
    const loaded = parseKmsrc(["rules:", '  - path: "a/**"', "    bogus: 1", "  - path: 3", "extra: x", ""].join("\n"), "/p/.kmsrc");
    assert.deepEqual(
      loaded.located.map((l) => [l.severity, l.line, l.column, l.text]),
      [
        ["warning", 5, 1, 'unknown top-level field "extra" is ignored'],
        ["warning", 3, 5, "rules[0].bogus is not a known rule field"],
        ["error", 4, 5, 'rules[1].path: expected a glob string, found number 3 (example: path: "config/prod/**")'],
      ],
    );
  });

  it("report a YAML error once, at its position, without a dangling colon", () => {
    const dir = project("rules:\n  - path: [\n");
    try {
      loadKmsrc(join(dir, ".kmsrc"));
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.reason, "not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
      assert.equal(err.message.split(join(dir, ".kmsrc")).length, 2, err.message);
      assert.match(err.message, /\.kmsrc:3:1: not valid YAML: [^\n]*\]$/);
      assert.deepEqual([err.file, err.line, err.column], [join(dir, ".kmsrc"), 3, 1]);
    }
  });

  it("print unknown fields once per process, in kmseal's format, through the CLI", () => {
    const dir = project(`aws:\n  region: eu-west-1\n  regoin: x\nrules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n    bogus: 1\n`);
    const r = spawnSync(process.execPath, [CLI_MAIN, "encrypt", "config/a.yaml"], { cwd: dir, env: cleanEnv({ HOME: dir }), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      [
        "kmseal: .kmsrc:3:3: aws.regoin is not a known field (known: profile, region, mfa_serial, mfa_process, role_arn, session_duration, duration_seconds, role_session_name, source_profile)",
        "kmseal: .kmsrc:7:5: rules[0].bogus is not a known rule field",
        "",
      ].join("\n"),
    );
  });

  it("warn once however many times a process loads the file", () => {
    const dir = project(`rules:\n  - path: "config/**"\n    bogus: 1\n`);
    const seen: string[] = [];
    const write = mock.method(process.stderr, "write", (chunk: string | Buffer) => seen.push(chunk.toString()) > 0);
    try {
      loadKmsrc(join(dir, ".kmsrc"));
      loadKmsrc(join(dir, ".kmsrc"));
    } finally {
      write.mock.restore();
    }
    assert.deepEqual(seen, [`kmseal: ${join(dir, ".kmsrc")}:3:5: rules[0].bogus is not a known rule field\n`]);
  });

  it("list several errors each with its position, the file named once in the first line", () => {
    const dir = project("rules:\n  - path: 3\n    kms: {a: 1}\n");
    writeFileSync(join(dir, "x"), "");
    const r = spawnSync(process.execPath, [CLI_MAIN, "encrypt", "config/a.yaml"], { cwd: dir, env: cleanEnv({ HOME: dir }), encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.split("\n")[0], "kmseal: .kmsrc: not valid (2 problems):");
    assert.match(r.stderr, /^ {2}\.kmsrc:2:5: rules\[0\]\.path: expected a glob string/m);
    assert.match(r.stderr, /^ {2}\.kmsrc:3:5: rules\[0\]\.kms: expected a list of strings, found a mapping$/m);
  });
});
