import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../../src/core/errors.js";
import { listIndex, parseKeyPath, showKeyPath } from "../../../src/stores/edit/key-path.js";

describe("key-path", () => {
  it("splits a dotted path into segments", () => {
    assert.deepEqual(parseKeyPath("db.password"), ["db", "password"]);
    assert.deepEqual(parseKeyPath("hosts.0.name"), ["hosts", "0", "name"]);
    assert.deepEqual(parseKeyPath("API_TOKEN"), ["API_TOKEN"]);
  });

  it("reads a JSON pointer with its ~0 and ~1 escapes, so keys may hold dots and slashes", () => {
    assert.deepEqual(parseKeyPath("/a.b/c~1d/e~0f"), ["a.b", "c/d", "e~f"]);
    assert.deepEqual(parseKeyPath("/"), [""]);
  });

  it("refuses empty paths, empty dotted segments and bad pointer escapes", () => {
    assert.throws(() => parseKeyPath(""), UsageError);
    assert.throws(() => parseKeyPath("a..b"), UsageError);
    assert.throws(() => parseKeyPath("/a~2"), UsageError);
  });

  it("shows a path dotted when that reads back the same, else as a pointer", () => {
    assert.equal(showKeyPath(["db", "password"]), "db.password");
    assert.equal(showKeyPath(["a.b", "c/d"]), "/a.b/c~1d");
  });

  it("reads list indexes and - as one past the end", () => {
    assert.equal(listIndex("2", 3), 2);
    assert.equal(listIndex("-", 3), 3);
    assert.equal(listIndex("01", 3), null);
    assert.equal(listIndex("x", 3), null);
  });
});
