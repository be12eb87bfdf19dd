import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MfaCodes, runShell } from "../../src/credentials/mfa-code.js";
import type { MfaCodeOptions } from "../../src/credentials/mfa-code.js";
import { KmsealError } from "../../src/core/errors.js";

const SERIAL = "arn:aws:iam::1:mfa/a";
const codes = (over: Partial<MfaCodeOptions>): MfaCodes =>
  new MfaCodes({ env: {}, interactive: true, terminal: () => undefined, fixCommand: "kmseal login --profile dev", ...over });
const answering =
  (...answers: string[]) =>
  () => ({ ask: () => Promise.resolve(answers.shift() ?? "") });

describe("MfaCodes", () => {
  it("prefers --mfa-code, then KMSEAL_MFA_CODE, then mfa_process, then the terminal", async () => {
    const all = {
      flagCode: "111111",
      env: { KMSEAL_MFA_CODE: "222222" },
      mfaProcess: "x",
      runProcess: () => Promise.resolve("333333\n"),
      terminal: answering("444444"),
    };
    assert.equal(await codes(all).next(SERIAL, 1), "111111");
    assert.equal(await codes({ ...all, flagCode: undefined }).next(SERIAL, 1), "222222");
    assert.equal(await codes({ ...all, flagCode: undefined, env: {} }).next(SERIAL, 1), "333333");
    assert.equal(await codes({ terminal: answering("444444") }).next(SERIAL, 1), "444444");
  });

  it("never opens the terminal when not interactive", async () => {
    const c = codes({ interactive: false, terminal: () => assert.fail("terminal opened") });
    assert.equal(c.first, "none");
    await assert.rejects(c.next(SERIAL, 1), (e: KmsealError) => e.code === "auth" && /no terminal/.test(e.message));
  });

  it("asks again on the terminal for a code that is not 6 digits, at most 3 times", async () => {
    assert.equal(await codes({ terminal: answering("12 34", "123456") }).next(SERIAL, 1), "123456");
    await assert.rejects(codes({ terminal: answering("1", "2", "3", "123456") }).next(SERIAL, 1), (e: KmsealError) => e.code === "auth");
  });

  it("replaces a refused code only from the terminal", async () => {
    assert.equal(await codes({ flagCode: "111111" }).next(SERIAL, 2), undefined);
    assert.equal(await codes({ flagCode: "111111", terminal: answering("222222") }).next(SERIAL, 2), "222222");
  });

  it("runs mfa_process through the shell and reports its failure without its output", async () => {
    assert.equal((await runShell("printf ' 123456 \\n'")).trim(), "123456");
    await assert.rejects(codes({ mfaProcess: "echo 654321; exit 3" }).next(SERIAL, 1), (e: KmsealError) => {
      assert.equal(e.code, "auth");
      assert.match(e.message, /mfa_process failed: exited with status 3/);
      assert.doesNotMatch(e.message, /654321/);
      return true;
    });
  });
});
