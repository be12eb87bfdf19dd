import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FormatError, InvalidValueError, KmsealError, UsageError } from "../../src/core/errors.js";
import { describeError } from "../../src/cli/report.js";

describe("error messages", () => {
  it("name the file and key path, including a file added later by inFile", () => {
    const err = new InvalidValueError("the value does not authenticate", { keyPath: "db.password" });
    assert.equal(err.message, "db.password: the value does not authenticate");
    err.inFile("config/app.enc.yaml");
    assert.equal(err.message, "config/app.enc.yaml: db.password: the value does not authenticate");
    assert.equal(err.reason, "the value does not authenticate");
    assert.equal(new UsageError("no such file").message, "no such file");
  });

  it("put a parse position after the file", () => {
    const err = new FormatError("unexpected token", { line: 3, column: 7 }, { file: "a.json" });
    assert.equal(err.message, "a.json:3:7: unexpected token");
  });

  it("keep a reworded message behind the location", () => {
    const err = new KmsealError("key", "no key", { file: "x.enc" });
    err.message = `cannot decrypt the ours version: ${err.reason}`;
    assert.equal(err.message, "x.enc: cannot decrypt the ours version: no key");
  });

  it("reach the CLI with the file once", () => {
    const err = new InvalidValueError("the value does not authenticate", { file: "config/app.enc.yaml", keyPath: "db.password", hint: "restore it" });
    assert.equal(describeError(err, false).text, "kmseal: config/app.enc.yaml: db.password: the value does not authenticate\n  hint: restore it\n");
  });
});
