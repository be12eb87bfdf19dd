/**
 * Size and value-count limits (platform/limits.ts): a huge file ends in one line on stderr and exit 2,
 * never in a V8 out-of-memory abort with a native stack; documents of ordinary large size still work.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { MAX_DOCUMENT_NODES } from "../../src/platform/limits.js";
import { loadStore } from "../../src/stores/registry.js";
import { childEnv } from "./child-env.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");

function kmseal(args: string[], cwd: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, env: childEnv(), encoding: "utf8", timeout: 120_000 });
}

/** The contract: exit 2, `kmseal: FILE: message` and at most a hint line, no stack of any kind. */
function assertOneLine(r: ReturnType<typeof kmseal>, file: string, message: RegExp): void {
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.equal(r.status, 2, r.stderr.slice(0, 2000));
  const lines = r.stderr.trimEnd().split("\n");
  assert.ok(lines.length <= 2, `one line and a hint: ${r.stderr.slice(0, 2000)}`);
  assert.ok(lines[0]!.startsWith(`kmseal: ${file}`), lines[0]);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(r.stderr, /FATAL ERROR|heap out of memory|^\s+at |internal error/m);
}

describe("document limits", () => {
  it("a 200 MB JSON file ends in a one-line error, exit 2", () => {
    const dir = testdir();
    const fd = openSync(join(dir, "big.json"), "w");
    const row = Array.from({ length: 10_000 }, (_, i) => `"k${i}":"${"v".repeat(10)}"`).join(",");
    writeSync(fd, "{");
    for (let i = 0, n = 0; n < 200e6; i++) n += writeSync(fd, (i > 0 ? "," : "") + row.replaceAll('"k', `"k${i}_`));
    writeSync(fd, "}");
    closeSync(fd);
    assertOneLine(kmseal(["encrypt", "--age", TEST_AGE_RECIPIENT, "big.json"], dir), "big.json", /over the limit of 128 MiB per file/);
  });

  it("more values than the limit end in a one-line error for JSON, YAML and .env", () => {
    const dir = testdir({
      "many.json":
        "[" +
        Array(MAX_DOCUMENT_NODES + 1)
          .fill("1")
          .join(",") +
        "]",
      "many.yaml": "a:\n" + "  - 1\n".repeat(MAX_DOCUMENT_NODES + 1),
      "many.env": "A=1\n".repeat(MAX_DOCUMENT_NODES + 1),
    });
    for (const f of ["many.json", "many.yaml", "many.env"]) {
      assertOneLine(kmseal(["encrypt", "--age", TEST_AGE_RECIPIENT, f], dir), f, /more than 1000000 (values|lines and flow items) in one/);
    }
  });

  it("a 100,000-value JSON document is well inside the limits", async () => {
    const text = "{" + Array.from({ length: 100_000 }, (_, i) => `"key_${i}": "value ${i}"`).join(",\n") + "}\n";
    const doc = (await loadStore("json")).parse(Buffer.from(text));
    assert.equal(doc.leaves.filter((l) => l.kind === "value").length, 100_000);
  });
});
