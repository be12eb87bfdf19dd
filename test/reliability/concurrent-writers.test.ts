import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { kmseal } from "../peers/harness/command.js";
import { KMSEAL_BIN } from "../peers/harness/paths.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { decryptFile } from "../../src/ops/decrypt.js";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { childEnv } from "./child-env.js";

const services = keyServices({ env: { HOME: "/nonexistent-home", KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
const WRITERS = 8;

async function sealedProject(): Promise<string> {
  const dir = testdir({ "app.yaml": "base: kept\n" });
  await encryptFile(join(dir, "app.yaml"), { age: [TEST_AGE_RECIPIENT] }, services);
  return dir;
}

async function contentOf(path: string): Promise<Record<string, unknown>> {
  return parse(Buffer.from((await decryptFile(path, { stdout: true }, services)).bytes).toString("utf8")) as Record<string, unknown>;
}

describe("no lost updates (spawned CLI)", () => {
  it(`set from ${WRITERS} processes at once on one file keeps all ${WRITERS} values`, async () => {
    const dir = await sealedProject();
    const env = childEnv();
    const runs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => kmseal(["set", "app.enc.yaml", `key${i}`, `value-${i}`], { env, cwd: dir, timeoutMs: 60_000 })),
    );
    for (const [i, r] of runs.entries()) assert.equal(r.code, 0, `writer ${i}: ${r.stderr}`);
    const data = await contentOf(join(dir, "app.enc.yaml"));
    const expected: Record<string, string> = { base: "kept" };
    for (let i = 0; i < WRITERS; i++) expected[`key${i}`] = `value-${i}`;
    assert.deepEqual(Object.fromEntries(Object.entries(data).sort()), Object.fromEntries(Object.entries(expected).sort()));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".kmseal")),
      [],
      "no lock or temp file is left",
    );
  });

  it("edit does not overwrite a value set while the editor was open, and says so", async () => {
    const dir = await sealedProject();
    const editor = join(dir, "editor.sh");
    writeFileSync(
      editor,
      `#!/bin/sh\n"${process.execPath}" "${KMSEAL_BIN}" set "${join(dir, "app.enc.yaml")}" other meanwhile\nsed -i 's/kept/edited/' "$1"\n`,
    );
    chmodSync(editor, 0o755);
    const r = await kmseal(["edit", "app.enc.yaml"], { env: childEnv({ EDITOR: editor }), cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /changed by another command while it was being edited/);
    assert.deepEqual(await contentOf(join(dir, "app.enc.yaml")), { base: "kept", other: "meanwhile" }, "the concurrent set survives");
  });

  it("encrypt over an existing target and set, run together, both land", async () => {
    const dir = await sealedProject();
    const env = childEnv();
    const [enc, set] = await Promise.all([
      kmseal(["encrypt", "app.yaml", "--age", TEST_AGE_RECIPIENT], { env, cwd: dir, timeoutMs: 60_000 }),
      kmseal(["set", "app.enc.yaml", "extra", "x"], { env, cwd: dir, timeoutMs: 60_000 }),
    ]);
    assert.equal(set.code, 0, set.stderr);
    // Either order is fine; what matters is that each command saw the other's result or ran before it.
    // When set lands first, the plaintext copy is stale: encrypt refuses (exit 2, naming the key)
    // rather than revert the value set added.
    const data = await contentOf(join(dir, "app.enc.yaml"));
    if (enc.code === 2) {
      assert.match(enc.stderr, /is newer than this copy.*extra/);
      assert.equal(data["extra"], "x", "the value set added survives");
    } else assert.equal(enc.code, 0, enc.stderr);
    assert.equal(data["base"], "kept");
    assert.ok(existsSync(join(dir, "app.enc.yaml")));
    assert.ok(!readFileSync(join(dir, "app.enc.yaml"), "utf8").includes("kept"), "values are encrypted");
  });
});
