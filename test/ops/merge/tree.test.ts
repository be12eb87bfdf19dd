import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeTrees, sameTyped, type Tree } from "../../../src/ops/merge/tree.js";
import type { Typed } from "../../../src/stores/edit/typed.js";

const s = (value: string): Tree => ({ kind: "value", value: { type: "str", value } });
const map = (entries: Record<string, Tree>): Tree => ({ kind: "map", entries: new Map(Object.entries(entries)) });
const list = (...items: string[]): Tree => ({ kind: "value", value: { type: "list", items: items.map((value) => ({ type: "str", value })) } });
const str = (value: string): Typed => ({ type: "str", value });

describe("mergeTrees", () => {
  it("takes a key changed on one side only, whichever side it is", () => {
    const base = map({ a: s("1"), b: s("2") });
    assert.deepEqual(mergeTrees(base, map({ a: s("1"), b: s("2") }), map({ a: s("9"), b: s("2") })).changes, [{ kind: "set", path: ["a"], value: str("9") }]);
    assert.deepEqual(mergeTrees(base, map({ a: s("9"), b: s("2") }), map({ a: s("1"), b: s("2") })), { changes: [], conflicts: [] });
  });

  it("merges different keys changed on each side without a conflict", () => {
    const r = mergeTrees(map({ a: s("1"), b: s("2") }), map({ a: s("ours"), b: s("2") }), map({ a: s("1"), b: s("theirs") }));
    assert.deepEqual(r, { changes: [{ kind: "set", path: ["b"], value: str("theirs") }], conflicts: [] });
  });

  it("adds a key added on one side, and keeps one added on both with the same value", () => {
    const r = mergeTrees(map({}), map({ same: s("x") }), map({ same: s("x"), added: s("y") }));
    assert.deepEqual(r, { changes: [{ kind: "set", path: ["added"], value: str("y") }], conflicts: [] });
  });

  it("adds a new mapping one key at a time so it is written as block lines", () => {
    const r = mergeTrees(map({}), map({}), map({ redis: map({ host: s("h"), auth: map({ pw: s("p") }) }) }));
    assert.deepEqual(
      r.changes.map((c) => c.path.join(".")),
      ["redis.host", "redis.auth.pw"],
    );
  });

  it("removes a key deleted on one side and unchanged on the other", () => {
    const r = mergeTrees(map({ a: s("1"), b: s("2") }), map({ a: s("1"), b: s("2") }), map({ a: s("1") }));
    assert.deepEqual(r.changes, [{ kind: "unset", path: ["b"] }]);
  });

  it("reports a key changed differently on both sides, and a change against a removal, by key path", () => {
    const r = mergeTrees(map({ db: map({ pw: s("0"), user: s("u") }) }), map({ db: map({ pw: s("A") }) }), map({ db: map({ pw: s("B"), user: s("v") }) }));
    assert.deepEqual(r.conflicts, [
      { path: ["db", "pw"], target: str("A"), other: str("B") },
      { path: ["db", "user"], target: undefined, other: str("v") },
    ]);
    assert.deepEqual(r.changes, []);
  });

  it("treats lists as whole values: different edits of one list conflict", () => {
    const r = mergeTrees(map({ l: list("a", "b") }), map({ l: list("a", "x") }), map({ l: list("y", "b") }));
    assert.deepEqual(
      r.conflicts.map((c) => c.path),
      [["l"]],
    );
    const clean = mergeTrees(map({ l: list("a") }), map({ l: list("a") }), map({ l: list("a", "b") }));
    assert.equal(clean.changes.length, 1);
  });

  it("does not count key order as a change", () => {
    const r = mergeTrees(map({ a: s("1"), b: s("2") }), map({ a: s("1"), b: s("2") }), map({ b: s("2"), a: s("1") }));
    assert.deepEqual(r, { changes: [], conflicts: [] });
  });

  it("replaces the whole document when only the other side changed a top-level value", () => {
    assert.deepEqual(mergeTrees(s("a"), s("a"), s("b")).changes, [{ kind: "set", path: [], value: str("b") }]);
    assert.deepEqual(
      mergeTrees(s("a"), s("c"), s("b")).conflicts.map((c) => c.path),
      [[]],
    );
  });

  it("merges two files added on both sides (no base) key by key", () => {
    const r = mergeTrees(undefined, map({ a: s("1"), b: s("2") }), map({ a: s("1"), c: s("3") }));
    assert.deepEqual(r, { changes: [{ kind: "set", path: ["c"], value: str("3") }], conflicts: [] });
  });
});

describe("sameTyped", () => {
  it("tells value types apart: the string 1 is not the integer 1", () => {
    assert.equal(sameTyped({ type: "str", value: "1" }, { type: "int", text: "1" }), false);
    assert.equal(sameTyped({ type: "int", text: "1" }, { type: "int", text: "1" }), true);
  });
});
