/**
 * `CI=true` and `--no-input` are one rule (README "CI"): never prompt; a cached session or a code if
 * there is one, the environment's own identity (OIDC, a container role) if it has one, and otherwise
 * exit 5 with the command that fixes it, never a quiet fall-back to the MFA profile's long-term keys.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { testdir } from "../helpers/testdir.js";
import { childEnv } from "./child-env.js";

fakeKms();
const BIN = join(process.cwd(), "dist", "kmseal.js");
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

describe("CI=true behaves as --no-input", () => {
  it("an MFA profile with nothing cached: both exit 5 with the login hint, neither uses the long-term keys", async () => {
    const dir = testdir({ ".kmsrc": "rules: []\n", "app.yaml": "k: v\n" });
    const r0 = await cli(["encrypt", "--kms", FAKE_ARN, join(dir, "app.yaml")], {
      env: { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" },
    });
    assert.equal(r0.code, 0, r0.stderr);
    const home = testdir({
      ".aws/config": `[profile dev]\nregion = us-east-1\nmfa_serial = ${SERIAL}\n`,
      ".aws/credentials": "[dev]\naws_access_key_id = AKIAFAKELONGTERM001\naws_secret_access_key = long-term-secret\n",
    });
    writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
    const run = (env: Record<string, string>, extra: string[]) =>
      spawnSync(process.execPath, [BIN, ...extra, "decrypt", "--stdout", "app.enc.yaml"], {
        cwd: dir,
        env: childEnv({ HOME: home, AWS_PROFILE: "dev", KMSEAL_AGE_KEY: "", ...env }),
        encoding: "utf8",
        timeout: 60_000,
      });
    const ci = run({ CI: "true" }, []);
    const noInput = run({ CI: "" }, ["--no-input"]);
    for (const [name, r] of [
      ["CI=true", ci],
      ["--no-input", noInput],
    ] as const) {
      assert.equal(r.signal, null, `${name}: killed`);
      assert.equal(r.status, 5, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /kmseal login --profile dev/, name);
    }
    assert.equal(ci.stderr, noInput.stderr);
  });
});
