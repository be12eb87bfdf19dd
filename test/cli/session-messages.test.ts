import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sessionCacheFor } from "../../src/credentials/credentials.js";
import { logoutText } from "../../src/cli/session-report.js";
import { cli } from "../helpers/cli.js";
import { removeDir, tempDir, writeFiles } from "../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

function home(): { dir: string; env: Record<string, string> } {
  const dir = tempDir();
  dirs.push(dir);
  writeFiles(dir, {
    ".aws/config": `[profile dev]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`,
    ".aws/credentials": "[dev]\naws_access_key_id = AKIDBASE\naws_secret_access_key = x\n",
  });
  return { dir, env: { HOME: dir, AWS_PROFILE: "dev", AWS_CONFIG_FILE: join(dir, ".aws/config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, ".aws/credentials") } };
}

describe("session messages", () => {
  it("logout says which session it removed, in words", async () => {
    const { dir, env } = home();
    const cache = sessionCacheFor({ env });
    const session = {
      profile: "dev",
      mfaSerial: SERIAL,
      accessKeyId: "ASIA1",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: "2999-01-01T00:00:00Z",
      createdAt: "2030-01-01T00:00:00Z",
    };
    await cache.write({ ...session, kind: "session" });
    await cache.write({ ...session, kind: "role", roleArn: "arn:aws:iam::123456789012:role/editor" });
    const r = await cli(["logout"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\n").filter(Boolean).sort(), [
      "removed the MFA session of profile dev",
      "removed the role session of profile dev (arn:aws:iam::123456789012:role/editor)",
    ]);
    assert.doesNotMatch(r.stdout, /session session/);
    assert.equal((await cli(["logout"], { env, cwd: dir })).stdout, "no cached session for profile dev\n");
    assert.equal(logoutText([], true, "dev"), "no cached sessions\n");
  });

  it("whoami without a session exits 5 and says how to start one", async () => {
    const { dir, env } = home();
    const r = await cli(["whoami"], { env, cwd: dir });
    assert.equal(r.code, 5);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^kmseal: no session for profile dev\n {2}hint: run `kmseal login[^`]*`\n$/);
    const json = await cli(["whoami", "--json"], { env, cwd: dir });
    assert.equal(json.code, 5);
    assert.equal((JSON.parse(json.stdout) as { source: string }).source, "none");
  });
});
