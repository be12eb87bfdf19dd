import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { loadEditor, loadStore } from "../../src/stores/registry.js";
import { FORMATS } from "../../src/stores/store.js";

const RECORDER = pathToFileURL(fileURLToPath(new URL("../cli/load-recorder.js", import.meta.url))).href;
const REGISTRY = pathToFileURL(fileURLToPath(new URL("../../src/stores/registry.js", import.meta.url))).href;
const dir = mkdtempSync(join(tmpdir(), "kmseal-registry-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every module URL a child process resolves while it runs `script` against the registry. */
function modulesLoadedBy(script: string): string[] {
  const log = join(dir, `load-${Math.random().toString(16).slice(2)}.log`);
  const r = spawnSync(
    process.execPath,
    ["--import", RECORDER, "--input-type=module", "-e", `const r = await import(${JSON.stringify(REGISTRY)});\n${script}`],
    { env: { ...process.env, KMSEAL_LOAD_LOG: log }, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

const loadsYaml = (urls: readonly string[]) => urls.some((u) => /\/node_modules\/yaml\//.test(u));

describe("store registry", () => {
  it("has a store for every format and an editor for every text format", async () => {
    for (const format of FORMATS) assert.equal((await loadStore(format)).format, format);
    for (const format of ["yaml", "json", "dotenv"] as const) {
      const editor = await loadEditor(format);
      assert.equal(typeof editor.set, "function");
      assert.equal(typeof editor.unset, "function");
    }
  });

  it("loads the yaml library only when a YAML store or editor is asked for", () => {
    assert.equal(
      loadsYaml(
        modulesLoadedBy(
          `(await r.loadStore("json")).parse(Buffer.from('{"a": 1}')); (await r.loadStore("dotenv")).parse(Buffer.from("A=1\\n")); await r.loadEditor("json");`,
        ),
      ),
      false,
    );
    assert.equal(loadsYaml(modulesLoadedBy(`(await r.loadStore("yaml")).parse(Buffer.from("a: 1\\n"));`)), true);
    assert.equal(loadsYaml(modulesLoadedBy(`await r.loadEditor("yaml");`)), true);
  });
});
