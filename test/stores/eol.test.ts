import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eolOf } from "../../src/stores/eol.js";

describe("eolOf", () => {
  it("any CRLF makes a CRLF file; LF otherwise, also for text without a break", () => {
    assert.equal(eolOf("a: 1\r\nb: 2\r\n"), "\r\n");
    assert.equal(eolOf("a: 1\nb: 2\r\n"), "\r\n");
    assert.equal(eolOf("a: 1\nb: 2\n"), "\n");
    assert.equal(eolOf("a\rb"), "\n");
    assert.equal(eolOf(""), "\n");
  });
});
