import { it } from "node:test";
import assert from "node:assert/strict";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { ACCOUNT_ID, DUMMY_CREDENTIALS } from "./harness/kms-server.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";
import { encryptedName, formatOf } from "./harness/file-format.js";

const MFA_SERIAL = `arn:aws:iam::${ACCOUNT_ID}:mfa/peers-test`;
const KMSRC = `aws:\n  region: us-east-1\n  mfa_serial: ${MFA_SERIAL}\nrules: []\n`;

peerSuite("MFA sessions through STS (moto)", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);
  const fixture = plainFixtures().find((f) => formatOf(f) === "yaml") ?? "basic.yaml";

  it("logs in with GetSessionToken(SerialNumber, TokenCode) and signs later KMS calls with the session", async () => {
    const key = await createKey(moto());
    const project = makeProject(KMSRC);
    project.copyFixture(fixture);
    const e = env(moto()); // one home for every command: the session cache lives there

    const login = await kmseal(["login", "--mfa-code", "123456"], { env: e, cwd: project.dir });
    assert.equal(login.code, 0, describeResult("kmseal login", login));
    const sts = (await moto().recorded()).filter((r) => r.action === "GetSessionToken");
    assert.equal(sts.length, 1);
    assert.equal(sts[0]?.params["SerialNumber"], MFA_SERIAL);
    assert.equal(sts[0].params["TokenCode"], "123456");
    assert.equal(sts[0].signedWith, DUMMY_CREDENTIALS.accessKeyId);

    const cp = await kmseal(["credential-process"], { env: e, cwd: project.dir });
    assert.equal(cp.code, 0, describeResult("kmseal credential-process", cp));
    const session = JSON.parse(cp.stdout.toString()) as { AccessKeyId: string; SessionToken: string };
    assert.notEqual(session.AccessKeyId, DUMMY_CREDENTIALS.accessKeyId);

    const mark = (await moto().recorded()).length;
    const enc = await kmseal(["encrypt", fixture, "--kms", key.arn], { env: e, cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    for (const n of [1, 2]) {
      const dec = await kmseal(["decrypt", encryptedName(fixture), "--stdout"], { env: e, cwd: project.dir });
      assert.equal(dec.code, 0, describeResult(`kmseal decrypt #${n}`, dec));
    }

    const after = (await moto().recorded()).slice(mark);
    const kms = after.filter((r) => r.kmsOperation === "Encrypt" || r.kmsOperation === "Decrypt");
    assert.deepEqual(
      kms.map((r) => r.kmsOperation),
      ["Encrypt", "Decrypt", "Decrypt"],
    );
    for (const r of kms) {
      assert.equal(r.signedWith, session.AccessKeyId, `${r.kmsOperation} was not signed with the session`);
      assert.equal(r.sessionToken, session.SessionToken);
    }
    assert.deepEqual(
      after.filter((r) => r.action === "GetSessionToken"),
      [],
      "the cached session was not reused",
    );
  });

  it("refuses login with exit 5 when there is no code and no terminal, without calling STS", async () => {
    const project = makeProject(KMSRC);
    const r = await kmseal(["login"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 5, describeResult("kmseal login without a code", r));
    assert.deepEqual(
      (await moto().recorded()).filter((q) => q.action === "GetSessionToken"),
      [],
    );
  });
});
