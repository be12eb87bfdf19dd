import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scalar } from "../../../src/core/tree.js";
import { dotenvEditor, dotenvGet, dotenvRaw } from "../../../src/stores/dotenv/edit.js";
import { parseTyped } from "../../../src/stores/edit/typed.js";
import { interpretDotenv } from "../../../src/stores/dotenv/value.js";

const DOC = "# comment\nexport A=1\nB='two words'\nC=\"multi\nline\"\nA=2\n";
const str = (v: string) => parseTyped("str", v);

describe("dotenv text editor", () => {
  it("gets a variable by its name as loaders see it (export dropped, quotes removed, last wins)", () => {
    const leaves = [
      { kind: "value" as const, path: ["export A"], value: scalar("str", "1") },
      { kind: "value" as const, path: ["B"], value: scalar("str", "'two words'") },
      { kind: "value" as const, path: ["A"], value: scalar("str", "2") },
    ];
    const values = leaves.map((l) => l.value);
    assert.equal(dotenvGet(leaves, values, "A"), "2");
    assert.equal(dotenvGet(leaves, values, "B"), "two words");
    assert.equal(dotenvGet(leaves, values, "C"), undefined);
  });

  it("rewrites the text after = of the last line that defines the name", () => {
    assert.equal(dotenvEditor.set(DOC, ["A"], str("3")).text, DOC.replace("A=2", "A=3"));
    assert.equal(dotenvEditor.set(DOC, ["B"], str("x y")).text, DOC.replace("'two words'", "x y"));
    assert.equal(dotenvEditor.set(DOC, ["C"], str("one")).text, DOC.replace('"multi\nline"', "one"));
    assert.equal(dotenvEditor.set("K=v\r\nL=w\r\n", ["K"], str("x")).text, "K=x\r\nL=w\r\n");
  });

  it("appends a new variable, and reports no change for the same value", () => {
    assert.equal(dotenvEditor.set(DOC, ["NEW"], str("v")).text, DOC + "NEW=v\n");
    assert.equal(dotenvEditor.set("A=1", ["B"], parseTyped("int", "7")).text, "A=1\nB=7\n");
    assert.deepEqual(dotenvEditor.set(DOC, ["B"], str("two words")), { text: DOC, changed: false });
    assert.throws(() => dotenvEditor.set(DOC, ["BAD NAME"], str("v")), /cannot be a dotenv variable name/);
  });

  it("removes every line that defines the name", () => {
    assert.equal(dotenvEditor.unset(DOC, ["A"])!.text, "# comment\nB='two words'\nC=\"multi\nline\"\n");
    assert.equal(dotenvEditor.unset(DOC, ["C"])!.text, "# comment\nexport A=1\nB='two words'\nA=2\n");
    assert.equal(dotenvEditor.unset(DOC, ["NOPE"]), null);
  });

  it("quotes a value only when a loader would misread it bare", () => {
    for (const v of ["plain", "", " lead", "trail ", "a #b", "#x", "it's", "multi\nline", 'q"uote\\', "'single'", "tab\tin"]) {
      assert.equal(interpretDotenv("K", dotenvRaw(v)).value, v, JSON.stringify(v));
    }
    assert.equal(dotenvRaw("plain"), "plain");
    assert.equal(dotenvRaw("a #b"), "'a #b'");
    assert.equal(dotenvRaw("multi\nline"), '"multi\\nline"');
  });
});
