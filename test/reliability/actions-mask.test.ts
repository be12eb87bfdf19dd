/**
 * `kmseal exec` on GitHub Actions registers every secret with `::add-mask::`. The runner unescapes
 * command data (`%25` → `%`, `%0D` → CR, `%0A` → LF) before masking, so unescaped data masks the
 * wrong string: a secret `p%0Aw` would be registered as "p", LF, "w" and printed in clear.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { escapeCommandData } from "../../src/ops/env/actions-mask.js";

/** What the runner registers from one `::add-mask::DATA` line (the actions/runner unescape). */
const unescape = (data: string) => data.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");

const SECRETS: Record<string, string> = {
  PERCENT_NL: "p%0Aw",
  PERCENT_25: "100%25sure",
  PERCENT_CR: "x%0Dy",
  PLAIN_PCT: "50%off",
  MULTI: "first\r\nsecond\nthird",
  LONE_CR: "a\rb",
};

describe("::add-mask:: data is escaped as @actions/core escapes it", () => {
  it("escapeCommandData matches @actions/core's escapeData", () => {
    assert.equal(escapeCommandData("a%b\rc\nd"), "a%25b%0Dc%0Ad");
    assert.equal(escapeCommandData("%0A"), "%250A");
  });

  it("exec registers every secret, and every line of a multi-line one, exactly", async () => {
    const yaml =
      Object.entries(SECRETS)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join("\n") + "\n";
    const dir = testdir({ "ci.yaml": yaml });
    assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "ci.yaml")])).code, 0);
    const r = await cli(["exec", join(dir, "ci.enc.yaml"), "--", process.execPath, "-e", "0"], { env: { GITHUB_ACTIONS: "true" } });
    assert.equal(r.code, 0, r.stderr);
    const masked = new Set(
      r.stdout
        .split("\n")
        .filter((l) => l.startsWith("::add-mask::"))
        .map((l) => unescape(l.slice("::add-mask::".length))),
    );
    for (const [k, v] of Object.entries(SECRETS)) {
      assert.ok(masked.has(v), `${k} is masked as a whole`);
      for (const line of v.split(/\r?\n/)) assert.ok(masked.has(line), `${k}: the line ${JSON.stringify(line)} is masked`);
    }
    for (const m of masked)
      assert.ok(
        Object.values(SECRETS).some((v) => v.includes(m)),
        `nothing but secrets is registered: ${JSON.stringify(m)}`,
      );
  });
});
