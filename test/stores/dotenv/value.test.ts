import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpretDotenv } from "../../../src/stores/dotenv/value.js";

describe("interpretDotenv", () => {
  const cases: [key: string, raw: string, name: string, value: string][] = [
    ["FOO", "bar", "FOO", "bar"],
    ["export FOO", "bar", "FOO", "bar"],
    ["  export\tFOO ", " bar ", "FOO", "bar"],
    ["FOO", "bar # comment", "FOO", "bar"],
    ["FOO", "bar#not-a-comment", "FOO", "bar#not-a-comment"],
    ["FOO", "# only a comment", "FOO", ""],
    ["FOO", "'literal \\n # kept'", "FOO", "literal \\n # kept"],
    ["FOO", "'quoted' # comment", "FOO", "quoted"],
    ["FOO", '"a\\nb\\tc\\r\\"d\\" \\\\ \\x"', "FOO", 'a\nb\tc\r"d" \\ \\x'],
    ["FOO", '"p@ss#word" # comment', "FOO", "p@ss#word"],
    ["FOO", '"line1\nline2"', "FOO", "line1\nline2"],
    ["FOO", '"line1\r\nline2"\r', "FOO", "line1\nline2"],
    ["FOO", "value\r", "FOO", "value"],
    ["FOO", "`backtick # kept`", "FOO", "backtick # kept"],
    ["FOO", '"never closed', "FOO", '"never closed'],
    ["FOO", "", "FOO", ""],
  ];
  for (const [key, raw, name, value] of cases) {
    it(`reads ${JSON.stringify(key)}=${JSON.stringify(raw)} as ${name}=${JSON.stringify(value)}`, () => {
      assert.deepEqual(interpretDotenv(key, raw), { name, value });
    });
  }
});
