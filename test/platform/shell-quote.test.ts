import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { shellQuote } from "../../src/platform/shell-quote.js";

describe("shellQuote", () => {
  it("leaves plain words readable", () => {
    assert.equal(shellQuote("./node_modules/.bin/kmseal"), "./node_modules/.bin/kmseal");
    assert.equal(shellQuote("config/app.enc.yaml"), "config/app.enc.yaml");
    assert.equal(shellQuote("a,b@c%d+e=f:g"), "a,b@c%d+e=f:g");
  });

  it("quotes everything else so the shell reads back the same word", () => {
    const words = ["", "a b", "it's", "$HOME", "`id`", "a\nb", "x;rm -rf y", "*.yaml", '"q"', "'"];
    for (const w of words) assert.notEqual(shellQuote(w), w === "" ? "" : w);
    const echoed = execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${words.map(shellQuote).join(" ")}`]).toString("utf8");
    assert.deepEqual(echoed.split("\0").slice(0, -1), words);
  });
});
