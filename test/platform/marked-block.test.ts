import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findBlock, removeBlock, replaceBlock, withBlock } from "../../src/platform/marked-block.js";

const M = { start: "# >>> k >>>", end: "# <<< k <<<" };
const BLOCK = `${M.start}\nline\n${M.end}\n`;

describe("marked blocks", () => {
  it("finds the block with its final line break", () => {
    const text = `a\n${BLOCK}b\n`;
    assert.deepEqual(findBlock(text, M), { start: 2, end: 2 + BLOCK.length });
    assert.equal(findBlock("a\nb\n", M), null);
    const noBreak = `a\n${M.start}\n${M.end}`;
    assert.equal(findBlock(noBreak, M)?.end, noBreak.length);
  });

  it("an unterminated block throws the caller's error, or counts as absent", () => {
    const text = `a\n${M.start}\nb\n`;
    assert.throws(() => findBlock(text, M, () => new Error("no end marker")), /no end marker/);
    assert.equal(findBlock(text, M), null);
    assert.equal(withBlock(text, BLOCK, M), text + BLOCK);
  });

  it("replaces and removes only the block", () => {
    const text = `a\n${M.start}\nold\n${M.end}\nb\n`;
    const span = findBlock(text, M)!;
    assert.equal(replaceBlock(text, span, BLOCK), `a\n${BLOCK}b\n`);
    assert.equal(removeBlock(text, span), "a\nb\n");
  });

  it("withBlock appends on a line of its own and is idempotent", () => {
    assert.equal(withBlock(null, BLOCK, M), BLOCK);
    assert.equal(withBlock("", BLOCK, M), BLOCK);
    assert.equal(withBlock("a", BLOCK, M), `a\n${BLOCK}`);
    const once = withBlock("a\n", BLOCK, M);
    assert.equal(once, `a\n${BLOCK}`);
    assert.equal(withBlock(once, BLOCK, M), once);
  });
});
