/**
 * A metadata regex is attacker-controlled (anyone who can commit can edit it), so it must run in time
 * linear in the key: `^(a+)+$` against a long `aaaa…b` key takes exponential time on a backtracking
 * engine, and must take milliseconds here for check, decrypt and git's textconv.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { compilePolicy } from "../../src/core/policy.js";
import { childEnv } from "./child-env.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const LONG_KEY = "a".repeat(120) + "b";

/**
 * An age-sealed file whose metadata says `encrypted_regex: ^(a+)+$` and that verifies as sops
 * verifies it. kmseal's manifest would refuse the changed rule at once, so it is removed: a file
 * written by sops has none, and that is where the pattern still runs.
 */
async function redosFile(): Promise<{ dir: string; file: string }> {
  const dir = testdir({
    ".kmsrc": `rules:\n  - path: "*.yaml"\n    age: [${TEST_AGE_RECIPIENT}]\n    encrypted_regex: "^a+$"\n`,
    "app.yaml": `${LONG_KEY}: visible\naaa: secret\n`,
  });
  const r = await cli(["encrypt", join(dir, "app.yaml")]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(dir, "app.enc.yaml");
  // Both patterns pick the same keys (`aaa`, not the long one), so the file still verifies and every
  // command runs the hostile pattern on the long key.
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes("^a+$"));
  assert.match(text, /^ {4}kmseal_manifest: .*\n/m);
  writeFileSync(file, text.replace("^a+$", "^(a+)+$").replace(/^ {4}kmseal_manifest: .*\n/m, ""));
  return { dir, file };
}

function timed(args: string[], cwd: string) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: childEnv(), encoding: "utf8", timeout: 20_000 });
  return { r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

describe("metadata regexes run in linear time (RE2)", () => {
  it("^(a+)+$ against a 121-character key is decided at once", () => {
    const t = performance.now();
    const policy = compilePolicy({ kind: "encrypted_regex", value: "^(a+)+$" });
    assert.equal(policy.encrypts([LONG_KEY]), false);
    assert.equal(policy.encrypts(["a".repeat(120)]), true);
    assert.ok(performance.now() - t < 200);
  });

  it("RE2 syntax as sops reads it: inline flags, unanchored search, no lookaround", () => {
    assert.equal(compilePolicy({ kind: "encrypted_regex", value: "(?i)^PASS" }).encrypts(["password"]), true);
    assert.equal(compilePolicy({ kind: "encrypted_regex", value: "token" }).encrypts(["api_token_x"]), true);
    assert.equal(compilePolicy({ kind: "unencrypted_regex", value: "^pub" }).encrypts(["public"]), false);
    assert.throws(() => compilePolicy({ kind: "encrypted_regex", value: "(?=x)" }), /not a valid regular expression/);
  });

  it("check, decrypt and textconv of the ReDoS file each finish in under 1 s", async () => {
    const { dir, file } = await redosFile();
    assert.ok(readFileSync(file).length < 2048, "the file stays about 1 KB");
    // The machine may be busy (other suites, 2 cores): the bound is 1 s on top of the same command on
    // the same file with the harmless pattern, i.e. on what the pattern costs, not on node's start-up.
    const benign = join(dir, "benign.enc.yaml");
    writeFileSync(benign, readFileSync(file, "utf8").replace("^(a+)+$", "^a+$"));
    for (const args of [["check"], ["decrypt", "--stdout"], ["textconv"]]) {
      const base = timed([...args, benign], dir);
      assert.equal(base.r.status, 0, `${args[0]}: ${base.r.stderr}`);
      const { r, ms } = timed([...args, file], dir);
      assert.equal(r.signal, null, `${args[0]} was killed after 20 s`);
      // check also fails the file (exit 6): its hand-edited rule is not its .kmsrc rule.
      assert.equal(r.status, args[0] === "check" ? 6 : 0, `${args[0]}: ${r.stderr}`);
      if (args[0] === "check") assert.match(r.stderr, /crypt rule \(encrypted_regex "\^\(a\+\)\+\$".*differs from its \.kmsrc rule/);
      assert.ok(ms < base.ms + 1000, `${args[0]} took ${ms.toFixed(0)} ms (${base.ms.toFixed(0)} ms with a harmless pattern)`);
      assert.equal(r.stdout, base.r.stdout.replaceAll("benign.enc.yaml", "app.enc.yaml").replaceAll("^a+$", "^(a+)+$"));
    }
  });
});
