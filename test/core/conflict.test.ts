import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { conflictRecord, hasConflictMarkers } from "../../src/core/conflict.js";
import { firstUncovered, sameSetting, settingOf } from "../../src/core/crypt-setting.js";
import { compilePolicy, DEFAULT_RULE } from "../../src/core/policy.js";

describe("hasConflictMarkers", () => {
  it("needs all three marker lines, in order, as git writes them", () => {
    assert.equal(hasConflictMarkers("<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs"), true);
    assert.equal(hasConflictMarkers("x\r\n<<<<<<< HEAD\r\na\r\n=======\r\nb\r\n>>>>>>> main\r\n"), true);
    assert.equal(hasConflictMarkers("<<<<<<< ours (removed)\n=======\n[1]\n>>>>>>> theirs"), true);
    assert.equal(hasConflictMarkers("title\n=======\nbody"), false, "a lone ======= line (a heading underline) is not a conflict");
    assert.equal(hasConflictMarkers(">>>>>>> theirs\n=======\n<<<<<<< ours"), false, "out of order");
    assert.equal(hasConflictMarkers("<<<<<<<ours\n=======\n>>>>>>>theirs"), false, "git writes a space after the marker");
    assert.equal(hasConflictMarkers("a <<<<<<< b\n=======\n>>>>>>> c"), false, "markers start a line");
  });
});

describe("conflictRecord", () => {
  it("reads the record from the sops block's extra fields", () => {
    assert.equal(conflictRecord({ extra: {} }), undefined);
    assert.equal(conflictRecord({ extra: { kmseal_conflict: "" } }), undefined);
    assert.equal(conflictRecord({ extra: { kmseal_conflict: "values changed on both sides: a" } }), "values changed on both sides: a");
    assert.equal(conflictRecord({ extra: { kmseal_conflict: true } }), "unresolved merge conflict");
  });
});

describe("crypt settings", () => {
  it("compare rule, comment rule and mac_only_encrypted", () => {
    const base = settingOf({ rule: DEFAULT_RULE, macOnlyEncrypted: false, extra: {} });
    assert.equal(sameSetting(base, { rule: DEFAULT_RULE, macOnlyEncrypted: false }), true);
    assert.equal(sameSetting(base, { rule: DEFAULT_RULE, macOnlyEncrypted: true }), false);
    assert.equal(sameSetting(base, settingOf({ rule: DEFAULT_RULE, macOnlyEncrypted: false, extra: { unencrypted_comment_regex: "^pub" } })), false);
    assert.equal(sameSetting(base, { rule: { kind: "encrypted_regex", value: "." }, macOnlyEncrypted: false }), false);
  });

  it("firstUncovered names the first path another rule encrypts and the target leaves in cleartext", () => {
    const narrow = compilePolicy({ kind: "encrypted_regex", value: "^password$" });
    const wide = compilePolicy({ kind: "encrypted_regex", value: "^(password|token)$" });
    const paths = [
      ["db", "password"],
      ["db", "token"],
      ["db", "user"],
    ];
    assert.equal(firstUncovered(wide, [narrow], paths), undefined);
    assert.deepEqual(firstUncovered(narrow, [wide], paths), ["db", "token"]);
    assert.deepEqual(firstUncovered(narrow, [compilePolicy()], paths), ["db", "token"]);
  });
});
