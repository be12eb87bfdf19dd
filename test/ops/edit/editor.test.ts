import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KmsealError } from "../../../src/core/errors.js";
import { editorCommand, editorScript, startEditor } from "../../../src/ops/edit/editor.js";
import { testdir } from "../../helpers/testdir.js";

/** An editor at a path with a space that records the arguments it was given, one per line. */
function recordingEditor(): { dir: string; bin: string; args: () => string[] } {
  const dir = testdir();
  mkdirSync(join(dir, "My Editor"));
  const bin = join(dir, "My Editor", "ed");
  writeFileSync(bin, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${join(dir, "args")}"\n`);
  chmodSync(bin, 0o755);
  return { dir, bin, args: () => readFileSync(join(dir, "args"), "utf8").split("\n").slice(0, -1) };
}

describe("edit-editor", () => {
  it("runs the editor command through sh as git does: quotes group, backslash escapes, nothing else is parsed", async () => {
    const ed = recordingEditor();
    const file = join(ed.dir, "it's $HOME; a `file`.yaml");
    await startEditor(`"${ed.bin}" -w  'a b' x\\ y "a\\"b" '$HOME'`, file, { PATH: process.env["PATH"] }).done;
    assert.deepEqual(ed.args(), ["-w", "a b", "x y", 'a"b', "$HOME", file], "the file's path reaches the editor as one argument, unparsed");
  });

  it("reports an editor that is not installed, or that fails", async () => {
    await assert.rejects(
      startEditor("kmseal-no-such-editor", "/dev/null", { PATH: process.env["PATH"] }).done,
      (e: unknown) => e instanceof KmsealError && /cannot start the editor kmseal-no-such-editor: not found/.test(e.message),
    );
    await assert.rejects(startEditor("false", "/dev/null", { PATH: process.env["PATH"] }).done, /the editor exited with status 1/);
  });

  it("execs a simple command, so signals reach the editor and not a shell", () => {
    assert.equal(editorScript("code --wait"), 'exec code --wait "$@"');
    assert.equal(editorScript("vim; echo done"), 'vim; echo done "$@"');
    assert.equal(editorScript("$(which vim)"), '$(which vim) "$@"');
  });

  it("prefers VISUAL, then EDITOR, then vi", () => {
    assert.equal(editorCommand({ VISUAL: "code -w", EDITOR: "nano" }), "code -w");
    assert.equal(editorCommand({ VISUAL: " ", EDITOR: "nano" }), "nano");
    assert.equal(editorCommand({}), "vi");
  });
});
