/**
 * The key command (KMSEAL_AGE_KEY_CMD, sops's SOPS_AGE_KEY_CMD) and several identities in one
 * variable. The commands are small shell scripts in a temp dir, run without a shell by kmseal.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgeIdentities, AgeRecipient } from "../../../src/keys/age/source.js";
import { splitCommand } from "../../../src/keys/age/key-command.js";
import { loadIdentities } from "../../../src/keys/age/keyring.js";
import { generateX25519Identity, x25519RecipientOf } from "../../../src/keys/age/x25519.js";
import { KmsealError } from "../../../src/core/errors.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT, TEST_DATA_KEY } from "../../helpers/keys.js";

const dir = mkdtempSync(join(tmpdir(), "kmseal-keycmd-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A script printing `output`, logging each run's SOPS_AGE_RECIPIENT and arguments; exits `code`. */
function script(name: string, output: string, code = 0): { command: string; log: string } {
  const path = join(dir, name);
  const log = join(dir, `${name}.log`);
  writeFileSync(log, "");
  writeFileSync(path, `#!/bin/sh\nprintf '%s|%s\\n' "$SOPS_AGE_RECIPIENT" "$*" >> '${log}'\ncat <<'EOF'\n${output}\nEOF\nexit ${code}\n`);
  chmodSync(path, 0o700);
  return { command: `'${path}'`, log };
}

const runs = (log: string) =>
  readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "");
const isolated = (extra: Record<string, string>) => ({ HOME: dir, XDG_CONFIG_HOME: join(dir, "none"), PATH: process.env["PATH"] ?? "", ...extra });

describe("splitCommand (sops's shell-like word splitting, no shell)", () => {
  const cases: [string, string[]][] = [
    ["op read op://vault/age/key", ["op", "read", "op://vault/age/key"]],
    ["  a   b\tc  ", ["a", "b", "c"]],
    [`'/path with space/bin' --flag`, ["/path with space/bin", "--flag"]],
    [`echo "a \\"quoted\\" word" x`, ["echo", 'a "quoted" word', "x"]],
    [`a\\ b c`, ["a b", "c"]],
    [`a'b'"c" d`, ["abc", "d"]],
    [`cmd $HOME ; rm -rf x`, ["cmd", "$HOME", ";", "rm", "-rf", "x"]],
    ["cmd # a comment", ["cmd"]],
    ["a#b c", ["a#b", "c"]],
    ["# first\nsecond line", ["second", "line"]],
    [`"C:\\dir\\x" "\\n"`, ["C:dirx", "n"]],
    [`''`, [""]],
  ];
  for (const [line, words] of cases)
    it(`splits ${JSON.stringify(line)}`, () => {
      assert.deepEqual(splitCommand(line), words);
    });
  it("refuses an unterminated quote", () => {
    assert.throws(() => splitCommand(`a 'b`), /unterminated single quote/);
    assert.throws(() => splitCommand(`a "b`), /unterminated double quote/);
    assert.throws(() => splitCommand(`a b\\`), /a backslash ends the command/);
  });
});

describe("the age key command", () => {
  for (const variable of ["KMSEAL_AGE_KEY_CMD", "SOPS_AGE_KEY_CMD"]) {
    it(`${variable}: runs only when no other identity opens the stanza, once per recipient, told the recipient`, async () => {
      const { command, log } = script(`ok-${variable}`, `# created: today\n# public key: ${TEST_AGE_RECIPIENT}\n${TEST_AGE_IDENTITY}`);
      const other = generateX25519Identity();
      const mineRecord = await new AgeRecipient(x25519RecipientOf(other)!).wrap(TEST_DATA_KEY);
      const cmdRecord = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
      const ids = new AgeIdentities([other], isolated({ [variable]: `${command} --vault team` }));
      assert.deepEqual(Buffer.from((await ids.unwrap(mineRecord))!), TEST_DATA_KEY);
      assert.deepEqual(runs(log), [], "the command ran although a loaded identity opened the stanza");
      assert.deepEqual(Buffer.from((await ids.unwrap(cmdRecord))!), TEST_DATA_KEY);
      assert.deepEqual(Buffer.from((await ids.unwrap(cmdRecord))!), TEST_DATA_KEY);
      assert.deepEqual(runs(log), [`${TEST_AGE_RECIPIENT}|--vault team`]);
    });
  }

  it("prefers KMSEAL_AGE_KEY_CMD over SOPS_AGE_KEY_CMD", async () => {
    const kmseal = script("pref-kmseal", TEST_AGE_IDENTITY);
    const sops = script("pref-sops", "nothing");
    const record = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
    const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_KEY_CMD: kmseal.command, SOPS_AGE_KEY_CMD: sops.command }));
    assert.deepEqual(Buffer.from((await ids.unwrap(record))!), TEST_DATA_KEY);
    assert.equal(runs(kmseal.log).length, 1);
    assert.equal(runs(sops.log).length, 0);
  });

  it("returns null when the command's identities do not match either", async () => {
    const { command } = script("other", generateX25519Identity());
    const record = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
    assert.equal(await new AgeIdentities([], isolated({ KMSEAL_AGE_KEY_CMD: command })).unwrap(record), null);
  });

  const failing: [string, () => string, RegExp][] = [
    ["a command that fails", () => script("fails", "", 3).command, /KMSEAL_AGE_KEY_CMD: .*fails failed \(exit status 3\)/],
    ["a program that does not exist", () => join(dir, "no-such-program"), /KMSEAL_AGE_KEY_CMD: cannot run .*no-such-program: no such program/],
    ["a command that prints no identity", () => script("empty", "hello").command, /KMSEAL_AGE_KEY_CMD printed no age identity/],
    ["an unterminated quote", () => `'${dir}/x`, /KMSEAL_AGE_KEY_CMD cannot be split into words/],
  ];
  for (const [what, command, message] of failing) {
    it(`reports ${what} as an error naming the variable, without the output`, async () => {
      const record = await new AgeRecipient(TEST_AGE_RECIPIENT).wrap(TEST_DATA_KEY);
      await assert.rejects(new AgeIdentities([], isolated({ KMSEAL_AGE_KEY_CMD: command() })).unwrap(record), (err: unknown) => {
        assert.ok(err instanceof KmsealError, String(err));
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /AGE-SECRET-KEY/);
        return true;
      });
    });
  }

  it("is never run for a file sealed with KMS only", async () => {
    const { command, log } = script("kms-only", TEST_AGE_IDENTITY);
    const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_KEY_CMD: command }));
    assert.equal(await ids.unwrap({ type: "kms", arn: "arn:aws:kms:eu-west-1:123456789012:key/x", enc: "AAAA", context: {} } as never), null);
    assert.deepEqual(runs(log), []);
  });
});

describe("several identities in one variable", () => {
  it("reads every identity of a multi-line SOPS_AGE_KEY / KMSEAL_AGE_KEY, comments and blank lines aside", async () => {
    const a = generateX25519Identity();
    const b = generateX25519Identity();
    for (const variable of ["SOPS_AGE_KEY", "KMSEAL_AGE_KEY"]) {
      const ids = await loadIdentities(isolated({ [variable]: `# team key\n${a}\n\n# mine\n${b} ${TEST_AGE_IDENTITY}\n` }));
      assert.deepEqual(ids, [a, b, TEST_AGE_IDENTITY]);
      const unwrapper = new AgeIdentities(ids, isolated({}));
      for (const id of [a, b, TEST_AGE_IDENTITY]) {
        const record = await new AgeRecipient(x25519RecipientOf(id)!).wrap(TEST_DATA_KEY);
        assert.deepEqual(Buffer.from((await unwrapper.unwrap(record))!), TEST_DATA_KEY);
      }
    }
  });
});

describe("a malformed identity", () => {
  it("is a key error that does not print the identity", async () => {
    const record = await new AgeRecipient("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea").wrap(TEST_DATA_KEY);
    const broken = TEST_AGE_IDENTITY.slice(0, -3) + "QQQ";
    await assert.rejects(new AgeIdentities([broken], isolated({})).unwrap(record), (err: unknown) => {
      assert.ok(err instanceof KmsealError, String(err));
      assert.match(err.message, /an age identity is malformed/);
      assert.ok(!err.message.includes(broken.slice(16)));
      return true;
    });
  });
});
