import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { coreTag, resolvePlain, typeScalar } from "../../../src/stores/yaml/resolve.js";

const show = (r: ReturnType<typeof resolvePlain>) => (r.type === "error" ? "error" : `${r.type}:${r.text}`);

describe("yaml scalar typing (go-yaml v3 resolve)", () => {
  it("reads nulls, the six bool spellings and the .inf/.nan keywords", () => {
    const cases: [string, string][] = [
      ["", "null:"],
      ["~", "null:"],
      ["null", "null:"],
      ["Null", "null:"],
      ["NULL", "null:"],
      ["nULL", "str:nULL"],
      ["true", "bool:true"],
      ["True", "bool:True"],
      ["TRUE", "bool:TRUE"],
      ["false", "bool:false"],
      ["FALSE", "bool:FALSE"],
      ["yes", "str:yes"],
      ["on", "str:on"],
      ["tRUE", "str:tRUE"],
      [".inf", "float:+Inf"],
      ["+.Inf", "float:+Inf"],
      ["-.INF", "float:-Inf"],
      [".nan", "float:NaN"],
      [".NaN", "float:NaN"],
      ["-.nan", "str:-.nan"],
      ["<<", "str:<<"],
    ];
    for (const [text, expected] of cases) assert.equal(show(resolvePlain(text)), expected, text);
  });

  it("reads ints as strconv.ParseInt(s, 0, 64) after removing underscores, keeping decimal spellings", () => {
    const cases: [string, string][] = [
      ["0", "int:0"],
      ["-0", "int:-0"],
      ["+5", "int:+5"],
      ["42", "int:42"],
      ["1_000", "int:1000"],
      ["0x1F", "int:31"],
      ["0X1f", "int:31"],
      ["-0x10", "int:-16"],
      ["012", "int:10"],
      ["0o17", "int:15"],
      ["0b101", "int:5"],
      ["-0b11", "int:-3"],
      ["0_1_0", "int:8"],
      ["9223372036854775807", "int:9223372036854775807"],
      ["-9223372036854775808", "int:-9223372036854775808"],
    ];
    for (const [text, expected] of cases) assert.equal(show(resolvePlain(text)), expected, text);
  });

  it("rejects values that only fit an unsigned 64-bit int and turns larger ones into floats", () => {
    assert.equal(show(resolvePlain("9223372036854775808")), "error");
    assert.equal(show(resolvePlain("0xFFFFFFFFFFFFFFFF")), "error");
    assert.equal(show(resolvePlain("18446744073709551616")), "float:18446744073709551616");
    assert.equal(show(resolvePlain("-9223372036854775809")), "float:-9223372036854775809");
    assert.equal(show(resolvePlain("+9223372036854775808")), "float:+9223372036854775808");
    assert.equal(show(resolvePlain("0x1FFFFFFFFFFFFFFFF")), "str:0x1FFFFFFFFFFFFFFFF");
  });

  it("reads floats by go-yaml's pattern, keeping spellings Go's ParseFloat reads", () => {
    const cases: [string, string][] = [
      ["0.5", "float:0.5"],
      [".5", "float:.5"],
      ["1.", "float:1."],
      ["1e3", "float:1e3"],
      ["-1.5E-3", "float:-1.5E-3"],
      ["08", "float:08"],
      ["1_000.5", "float:1000.5"],
      ["1e999", "str:1e999"],
      [".e3", "str:.e3"],
      ["1.2.3", "str:1.2.3"],
      ["1e", "str:1e"],
      ["0x1p3", "str:0x1p3"],
    ];
    for (const [text, expected] of cases) assert.equal(show(resolvePlain(text)), expected, text);
  });

  it("leaves everything else a string, timestamps included (with the time sops hashes)", () => {
    for (const text of ["abc", "-", "+", "12:30", "1_a", "2024-05-01T10:00:00"]) assert.equal(show(resolvePlain(text)), `str:${text}`);
    assert.deepEqual(typeScalar("2024-05-01", true, null), { type: "str", text: "2024-05-01", time: "2024-05-01T00:00:00Z" });
    assert.deepEqual(typeScalar("2024-05-01", false, null), { type: "str", text: "2024-05-01" });
  });

  it("lets core tags decide the type and requires the text to fit them", () => {
    assert.equal(show(typeScalar("5", true, "!!str")), "str:5");
    assert.equal(show(typeScalar("5", false, "!!int")), "int:5");
    assert.equal(show(typeScalar("0x10", true, "!!float")), "float:16");
    assert.equal(show(typeScalar("true", false, "!<tag:yaml.org,2002:bool>")), "bool:true");
    assert.equal(show(typeScalar("abc", true, "!!int")), "error");
    assert.equal(show(typeScalar("5", true, "!custom")), "int:5");
    assert.equal(show(typeScalar("5", true, "!")), "str:5");
    assert.equal(coreTag("!!binary"), null);
    assert.equal(coreTag("!<tag:yaml.org,2002:null>"), "null");
  });
});
