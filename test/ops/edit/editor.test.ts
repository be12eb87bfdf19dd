import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { editorCommand, shellWords } from "../../../src/ops/edit/editor.js";

describe("edit-editor", () => {
  it("splits an editor command as a shell would, without expanding anything", () => {
    assert.deepEqual(shellWords("code --wait"), ["code", "--wait"]);
    assert.deepEqual(shellWords(`"/Applications/My Editor/bin/ed" -w  'a b'`), ["/Applications/My Editor/bin/ed", "-w", "a b"]);
    assert.deepEqual(shellWords(`vim\\ x "a\\"b" '$HOME'`), ["vim x", 'a"b', "$HOME"]);
    assert.deepEqual(shellWords(`x ""`), ["x", ""]);
    assert.throws(() => shellWords(`"open`), /unclosed/);
  });

  it("prefers VISUAL, then EDITOR, then vi", () => {
    assert.deepEqual(editorCommand({ VISUAL: "code -w", EDITOR: "nano" }), ["code", "-w"]);
    assert.deepEqual(editorCommand({ VISUAL: " ", EDITOR: "nano" }), ["nano"]);
    assert.deepEqual(editorCommand({}), ["vi"]);
  });
});
