import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scalar } from "../../../src/core/tree.js";
import { blockText, isSafePlain, nativeText, quoteDouble, quoteSingle } from "../../../src/stores/yaml/scalar.js";

const place = { folded: false, baseIndent: 0, bodyIndent: 2, eol: "\n" };

describe("yaml scalar text", () => {
  it("keeps strings plain only when every YAML reader gets the same string back", () => {
    for (const s of [
      "hello",
      "hello world",
      "a#b",
      "http://x:80/#f",
      "-dash",
      ":colon",
      "?q",
      "1.2.3",
      "2024-05-01",
      "ENC[AES256_GCM,data:x]",
      "välüe",
      "it's",
    ]) {
      assert.ok(isSafePlain(s, false, false), s);
    }
    for (const s of [
      "",
      " lead",
      "trail ",
      "a: b",
      "a #b",
      "key:",
      "- x",
      "#c",
      "&a",
      "*a",
      "!t",
      "|",
      ">",
      "'q",
      '"q',
      "%p",
      "@x",
      "`x",
      "{a",
      "[a",
      "---",
      "...",
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "n",
      "~",
      "null",
      "true",
      "True",
      "12",
      "0x1F",
      "0o17",
      "012",
      "1e3",
      ".5",
      ".inf",
      "1_000",
      "12:30",
      "1.5e+3",
      "a\nb",
      "tab\there",
      "\u2028",
    ]) {
      assert.ok(!isSafePlain(s, false, false), JSON.stringify(s));
    }
    assert.ok(!isSafePlain("a,b", true, false) && isSafePlain("a,b", false, false));
    assert.ok(isSafePlain("123", false, true), "a !!str tag makes number look-alikes safe");
  });

  it("double-quotes with JSON escapes plus YAML 1.1's extra line breaks", () => {
    assert.equal(quoteDouble('a"b\\c\nd\te'), '"a\\"b\\\\c\\nd\\te"');
    assert.equal(quoteDouble("x\u2028y\u0085z"), '"x\\u2028y\\u0085z"');
    assert.equal(quoteDouble("é🔐"), '"é🔐"');
    assert.equal(quoteSingle("it's"), "'it''s'");
    assert.equal(quoteSingle("a\nb"), null);
  });

  it("writes typed values as go-yaml reads them back with the same type", () => {
    const t = (type: "int" | "float" | "bool" | "null", s: string) => nativeText(scalar(type, s));
    assert.deepEqual(
      [
        t("bool", "True"),
        t("bool", "False"),
        t("bool", "TRUE"),
        t("bool", "t"),
        t("bool", "0"),
        t("float", "+Inf"),
        t("float", "-Inf"),
        t("float", "NaN"),
        t("float", "1000"),
        t("float", "012"),
        t("float", "1e3"),
        t("int", "+5"),
        t("null", ""),
      ],
      ["true", "false", "TRUE", "true", "false", ".inf", "-.inf", ".nan", "1000.0", "012.0", "1e3", "+5", "null"],
    );
  });

  it("writes literal blocks with the chomping the trailing newlines need", () => {
    assert.deepEqual(blockText("a\nb", place), { head: "|-", body: "  a\n  b\n" });
    assert.deepEqual(blockText("a\n", place), { head: "|", body: "  a\n" });
    assert.deepEqual(blockText("a\n\n\n", place), { head: "|+", body: "  a\n\n\n" });
    assert.deepEqual(blockText("a\n\nb\n", place), { head: "|", body: "  a\n\n  b\n" });
    assert.deepEqual(blockText(" lead\n", place), { head: "|2", body: "   lead\n" });
    assert.equal(blockText("\n", place), null);
    assert.equal(blockText("a\r\nb", place), null);
    assert.equal(blockText("a\n  \nb", place), null);
  });

  it("writes folded blocks without relying on line folding", () => {
    const folded = { ...place, folded: true };
    assert.deepEqual(blockText("one two\nthree\n", folded), { head: ">", body: "  one two\n\n  three\n" });
    assert.deepEqual(blockText("a\n\nb", folded), { head: ">-", body: "  a\n\n\n  b\n" });
    assert.deepEqual(blockText("a\n more\n", folded), { head: "|", body: "  a\n   more\n" }, "more-indented lines fall back to a literal block");
  });
});
