/**
 * Repository content is data, never code: a `.kmsrc` that names an MFA helper program runs nothing,
 * whatever opens a KMS-wrapped file (decrypt, exec, git's textconv driver, the loader); the git drivers
 * also never run the user's own helper program. Every check looks for a marker file the program would
 * leave, and a positive control shows the same setup does run the user's own helper on decrypt.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { testdir } from "../helpers/testdir.js";
import { installDiffDriver } from "../../src/git/diff-driver.js";
import { CLI_MAIN, cleanEnv, git, tempRepo } from "../git/temp-repo.js";
import { childEnv } from "./child-env.js";

fakeKms();
const ROOT = process.cwd();
const BIN = join(ROOT, "dist", "kmseal.js");
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const hostile = (marker: string) => `aws:\n  mfa_serial: ${SERIAL}\n  mfa_process: "touch ${marker}"\nrules: []\n`;
const creds = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", KMSEAL_AGE_KEY: "" };

/** A folder with KMS-wrapped `.env.enc` and `app.enc.yaml`, sealed under a harmless `.kmsrc`. */
async function sealed(dir: string): Promise<void> {
  writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
  writeFileSync(join(dir, ".env"), "API_KEY=secret-1\n");
  writeFileSync(join(dir, "app.yaml"), "api:\n  token: tok-1\n");
  for (const f of [".env", "app.yaml"]) {
    const r = await cli(["encrypt", "--kms", FAKE_ARN, join(dir, f)], { env: creds });
    assert.equal(r.code, 0, r.stderr);
  }
}

function kmseal(dir: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: "utf8", timeout: 30_000 });
}

describe("a .kmsrc cannot run commands", () => {
  it("decrypt and exec refuse a .kmsrc with aws.mfa_process (exit 2, saying where it belongs) and run nothing", async () => {
    const dir = testdir();
    await sealed(dir);
    const marker = join(dir, "RAN");
    writeFileSync(join(dir, ".kmsrc"), hostile(marker));
    const env = childEnv({ CI: "" });
    for (const args of [
      ["decrypt", "--stdout", "app.enc.yaml"],
      ["exec", ".env.enc", "--", "true"],
    ]) {
      const r = kmseal(dir, args, env);
      assert.equal(existsSync(marker), false, `${args[0]} ran the .kmsrc's mfa_process`);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /aws\.mfa_process cannot be set in a project's \.kmsrc/);
      assert.match(r.stderr, /~\/\.aws\/config/);
    }
    const check = kmseal(dir, ["check"], env);
    assert.equal(check.status, 2, check.stderr);
  });

  it("decrypt refuses a .kmsrc with aws.credential_process (exit 2) and runs nothing", async () => {
    const dir = testdir();
    await sealed(dir);
    const marker = join(dir, "RAN");
    writeFileSync(join(dir, ".kmsrc"), `aws:\n  credential_process: "touch ${marker}"\nrules: []\n`);
    const r = kmseal(dir, ["decrypt", "--stdout", "app.enc.yaml"], childEnv({ CI: "" }));
    assert.equal(existsSync(marker), false, "decrypt ran the .kmsrc's credential_process");
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /aws\.credential_process cannot be set in a project's \.kmsrc/);
    assert.match(r.stderr, /~\/\.aws\/config/);
  });

  it("the loader (node --import kmseal/config) runs nothing from the .kmsrc", async () => {
    const dir = testdir();
    await sealed(dir);
    const marker = join(dir, "RAN");
    writeFileSync(join(dir, ".kmsrc"), hostile(marker));
    writeFileSync(join(dir, "app.mjs"), "console.log(process.env.API_KEY ?? 'unset');\n");
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "kmseal"), "dir");
    const r = spawnSync(process.execPath, ["--import", "kmseal/config", "app.mjs"], { cwd: dir, env: childEnv({ CI: "" }), encoding: "utf8", timeout: 30_000 });
    assert.equal(existsSync(marker), false, "the loader ran the .kmsrc's mfa_process");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /aws\.mfa_process cannot be set/);
  });

  it("git diff with the textconv driver runs neither the .kmsrc's nor the user's own mfa_process", async () => {
    const dir = tempRepo();
    await sealed(dir);
    git(dir, "add", "app.enc.yaml", ".env.enc");
    git(dir, "commit", "-q", "-m", "init");
    await installDiffDriver(dir, null, { command: `${process.execPath} ${CLI_MAIN}` });
    const marker = join(dir, "RAN");
    writeFileSync(join(dir, ".kmsrc"), hostile(marker));
    const home = testdir({ ".aws/config": `[default]\nmfa_serial = ${SERIAL}\nmfa_process = touch ${marker}-user\n` });
    const env = cleanEnv({ ...childEnv({ CI: "" }), HOME: home }) as Record<string, string>;
    const show = spawnSync("git", ["show", "HEAD"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(show.status, 0, show.stderr);
    assert.equal(existsSync(marker), false, "textconv ran the .kmsrc's mfa_process");

    writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
    const show2 = spawnSync("git", ["show", "HEAD"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(show2.status, 0, show2.stderr);
    assert.equal(existsSync(`${marker}-user`), false, "textconv ran the user's mfa_process");

    // Control: the same user setup does run the user's own helper outside a driver, so the two checks above can fail.
    kmseal(dir, ["decrypt", "--stdout", "app.enc.yaml"], env);
    assert.equal(existsSync(`${marker}-user`), true, "decrypt did not run the user's mfa_process: the setup cannot detect a run");
  });
});
