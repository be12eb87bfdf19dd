import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { goYamlTimestamp } from "../../../src/stores/yaml/timestamp.js";

describe("yaml timestamps (go-yaml layouts, Go MarshalText)", () => {
  it("gives the text sops 3.13.3 hashes and prints for each layout go-yaml accepts", () => {
    // Pairs observed with the real sops binary (plain value → what sops decrypts it to).
    const cases: [string, string][] = [
      ["2024-01-01", "2024-01-01T00:00:00Z"],
      ["2024-1-1 1:2:3.1234567891", "2024-01-01T01:02:03.123456789Z"],
      ["2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"],
      ["2024-01-01T10:00:00+00:00", "2024-01-01T10:00:00Z"],
      ["2024-01-01T10:00:00-05:60", "2024-01-01T10:00:00-06:00"],
      ["0000-02-29", "0000-02-29T00:00:00Z"],
      ["2024-01-01T10:00:00,5Z", "2024-01-01T10:00:00.5Z"],
    ];
    for (const [input, expected] of cases) assert.deepEqual(goYamlTimestamp(input), { text: expected }, input);
  });

  it("leaves texts go-yaml does not read as times to be strings", () => {
    for (const s of [
      "2024-02-30",
      "2023-02-29",
      "2024-01-01T10:00:00",
      "2024-13-01",
      "2024-01-01T24:00:00Z",
      "2024-01-01T10:00:00z",
      "24-01-01",
      "2024-01-01x",
      "12024-01-01",
    ]) {
      assert.equal(goYamlTimestamp(s), null, s);
    }
  });

  it("reports the zone offsets that make sops fail", () => {
    assert.ok(goYamlTimestamp("2024-01-01T10:00:00+24:00") !== null && "error" in goYamlTimestamp("2024-01-01T10:00:00+24:00")!);
  });
});
