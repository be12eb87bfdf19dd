import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { config, loadEnv } from "../../src/env/load-env.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = process.cwd();
const ENV = 'API_TOKEN="t0k=en with spaces"\nexport REGION=eu-west-1\nMULTI="line 1\\nline 2"\n';
const APP =
  "import { writeFileSync } from 'node:fs';\nwriteFileSync('seen.json', JSON.stringify({ API_TOKEN: process.env.API_TOKEN, REGION: process.env.REGION, MULTI: process.env.MULTI }));\n";

async function project(files: Record<string, string> = {}) {
  const dir = testdir({ ".kmsrc": "rules: []\n", ".env": ENV, "app.mjs": APP, ...files });
  assert.equal((await cli(["encrypt", "--age", TEST_AGE_RECIPIENT, join(dir, ".env")])).code, 0);
  return dir;
}

const keys = () => keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent" }, notice: () => {} });

describe("loader", () => {
  it("loadEnv returns the decrypted variables without touching process.env", async () => {
    const dir = await project();
    const values = await loadEnv(join(dir, ".env.enc"), { keys: keys() });
    assert.deepEqual(values, { API_TOKEN: "t0k=en with spaces", REGION: "eu-west-1", MULTI: "line 1\nline 2" });
    assert.equal(process.env["API_TOKEN"], undefined);
  });

  it("config sets process.env, keeping variables that are already set unless override", async () => {
    const dir = await project();
    process.env["REGION"] = "already-set";
    try {
      await config({ path: join(dir, ".env.enc"), keys: keys() });
      assert.equal(process.env["API_TOKEN"], "t0k=en with spaces");
      assert.equal(process.env["REGION"], "already-set");
      await config({ path: join(dir, ".env.enc"), override: true, keys: keys() });
      assert.equal(process.env["REGION"], "eu-west-1");
    } finally {
      for (const k of ["API_TOKEN", "REGION", "MULTI"]) Reflect.deleteProperty(process.env, k);
    }
  });

  const built = existsSync(join(ROOT, "dist", "env", "register.js"));
  it(
    "node --import kmseal/config loads .env.enc into the program's environment before it runs",
    { skip: !built && "dist is not built (npm run build)" },
    async () => {
      const dir = await project();
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(ROOT, join(dir, "node_modules", "kmseal"), "dir");
      const env = { PATH: process.env["PATH"], HOME: "/nonexistent", KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, REGION: "from-parent" };
      const r = spawnSync(process.execPath, ["--import", "kmseal/config", "app.mjs"], { cwd: dir, env, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, "seen.json"), "utf8")), {
        API_TOKEN: "t0k=en with spaces",
        REGION: "from-parent",
        MULTI: "line 1\nline 2",
      });

      const failed = spawnSync(process.execPath, ["--import", "kmseal/config", "app.mjs"], {
        cwd: dir,
        env: { ...env, KMSEAL_AGE_KEY: "", KMSEAL_CONFIG_PATH: "missing.env.enc" },
        encoding: "utf8",
      });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /^kmseal\/config: missing\.env\.enc: no such file/);
    },
  );
});
