/**
 * "Billion laughs": six lines of nested YAML aliases name a million values. A sealed file like that
 * must be refused (exit 2, naming the file) before the expansion is built, not after 1 GB and many
 * seconds when the MAC finally fails; ordinary aliases keep working.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { aliasBudget } from "../../src/stores/yaml/alias-budget.js";
import { loadStore } from "../../src/stores/registry.js";
import { childEnv, firstLine } from "./child-env.js";

const BIN = join(process.cwd(), "dist", "kmseal.js");
const TIME = "/usr/bin/time";

/** Levels b..f, each ten aliases of the one before: 10^6 values from `a`'s ten. */
const LAUGHS =
  ["b", "c", "d", "e", "f"]
    .map(
      (name, i) =>
        `${name}: &${name} [${Array(10)
          .fill("*" + "abcde".charAt(i))
          .join(", ")}]`,
    )
    .join("\n") + "\n";

async function sealedBomb(): Promise<{ dir: string; file: string }> {
  const dir = testdir({ "bomb.yaml": `a: &a [${Array(10).fill("lol").join(", ")}]\n` });
  const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "bomb.yaml")]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(dir, "bomb.enc.yaml");
  const text = readFileSync(file, "utf8");
  const at = text.indexOf("sops:");
  writeFileSync(file, text.slice(0, at) + LAUGHS + text.slice(at));
  rmSync(join(dir, "bomb.yaml"));
  return { dir, file };
}

describe("YAML alias expansion is bounded by the input's size", () => {
  it("the bound: 10 nodes per byte, at least 10,000", () => {
    assert.equal(aliasBudget(100), 10_000);
    assert.equal(aliasBudget(4000), 40_000);
  });

  it("a sealed alias bomb is refused with exit 2 naming the file, in under 1 s and 100 MB", async () => {
    const { dir, file } = await sealedBomb();
    assert.ok(readFileSync(file).length < 4096, `the bomb is a few KB (${readFileSync(file).length})`);
    const measure = existsSync(TIME);
    const args = measure ? [TIME, "-f", "maxrss_kb=%M", process.execPath, BIN] : [process.execPath, BIN];
    const base = spawnSync(args[0]!, [...args.slice(1), "--version"], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 30_000 });
    const t = process.hrtime.bigint();
    const r = spawnSync(args[0]!, [...args.slice(1), "decrypt", "--stdout", "bomb.enc.yaml"], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 30_000 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal(r.signal, null, "killed after 30 s");
    assert.equal(r.status, 2, r.stderr);
    assert.match(firstLine(r.stderr), /^kmseal: bomb\.enc\.yaml:\d+:\d+: aliases expand to more than \d+ values/);
    assert.equal(r.stdout, "");
    assert.equal(base.status, 0, base.stderr);
    // Under load start-up alone can take a second: the bound is on top of `--version`'s own time.
    const baseMs = timeOf(args, dir);
    assert.ok(ms < baseMs + 1000, `refused after ${ms.toFixed(0)} ms (start-up ${baseMs.toFixed(0)} ms)`);
    if (measure) {
      const kb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]);
      assert.ok(kb > 0 && kb < 100 * 1024, `peak RSS ${kb} KB`);
    }
    const written = spawnSync(process.execPath, [BIN, "decrypt", "bomb.enc.yaml"], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 30_000 });
    assert.equal(written.status, 2, written.stderr);
    assert.equal(existsSync(join(dir, "bomb.yaml")), false, "nothing written");
  });

  it("a plaintext alias bomb is refused by encrypt the same way", async () => {
    const dir = testdir({ "bomb.yaml": `a: &a [${Array(10).fill("lol").join(", ")}]\n` + LAUGHS });
    const r = await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, "bomb.yaml")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /aliases expand to more than \d+ values/);
  });

  it("aliases within the bound still expand as sops expands them", async () => {
    // 1,000 values under 15 aliases each: 16,000 values from a file of about 2.2 KB (bound 22,000).
    const text =
      `base: &base [${Array.from({ length: 1000 }, (_, i) => i % 10).join(",")}]\n` + Array.from({ length: 15 }, (_, i) => `k${i}: *base`).join("\n") + "\n";
    assert.ok(aliasBudget(Buffer.byteLength(text)) > 16 * 1000);
    const doc = (await loadStore("yaml")).parse(Buffer.from(text));
    assert.equal(doc.leaves.filter((l) => l.kind === "value").length, 16_000);
  });
});

function timeOf(args: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  spawnSync(args[0]!, [...args.slice(1), "--version"], { cwd, env: childEnv(), encoding: "utf8", timeout: 30_000 });
  return Number(process.hrtime.bigint() - t) / 1e6;
}
