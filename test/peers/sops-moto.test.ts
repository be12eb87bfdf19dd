import { it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { ListKeysCommand } from "@aws-sdk/client-kms";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { makeProject } from "./harness/project.js";
import { describeResult, runCommand } from "./harness/command.js";
import { asData } from "./harness/file-format.js";

// Proves the harness with two independent implementations: the real sops against moto's KMS.
const PLAIN = "db:\n  user: admin\n  password: hunter2\nport: 5432\n";

peerSuite("sops with the moto KMS emulator", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  async function sopsEncrypt(keyArn: string, context: string) {
    const project = makeProject();
    project.write("config/app.yaml", PLAIN);
    const args = ["encrypt", "--kms", keyArn, "--encryption-context", `file:${context}`, "config/app.yaml"];
    const r = await runCommand(bin.sops, args, { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("sops encrypt", r));
    project.write("config/app.enc.yaml", r.stdout);
    return project;
  }

  it("encrypts with a key ARN and the file context, and decrypts, one Encrypt and one Decrypt", async () => {
    const key = await createKey(moto());
    const project = await sopsEncrypt(key.arn, "config/app.enc.yaml");
    const sealed = parse(project.read("config/app.enc.yaml").toString()) as { sops: { kms: Array<{ arn: string; context: Record<string, string> }> } };
    assert.equal(sealed.sops.kms.length, 1);
    assert.equal(sealed.sops.kms[0]?.arn, key.arn);
    assert.deepEqual(sealed.sops.kms[0].context, { file: "config/app.enc.yaml" });
    assert.deepEqual(await moto().kmsOperations(), ["CreateKey", "CreateAlias", "Encrypt"]);

    const r = await runCommand(bin.sops, ["decrypt", "config/app.enc.yaml"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("sops decrypt", r));
    assert.deepEqual(asData("yaml", r.stdout), asData("yaml", Buffer.from(PLAIN)));
    assert.deepEqual(await moto().kmsOperations(), ["CreateKey", "CreateAlias", "Encrypt", "Decrypt"]);
  });

  it("encrypts with an alias ARN", async () => {
    const key = await createKey(moto());
    const project = await sopsEncrypt(key.aliasArn, "config/app.enc.yaml");
    const r = await runCommand(bin.sops, ["decrypt", "config/app.enc.yaml"], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("sops decrypt", r));
    assert.deepEqual(asData("yaml", r.stdout), asData("yaml", Buffer.from(PLAIN)));
  });

  it("cannot decrypt once the stored file context is changed (the emulator enforces the context)", async () => {
    const key = await createKey(moto());
    const project = await sopsEncrypt(key.arn, "config/app.enc.yaml");
    const text = project.read("config/app.enc.yaml").toString();
    assert.match(text, /file: config\/app\.enc\.yaml/);
    project.write("config/app.enc.yaml", text.replace("file: config/app.enc.yaml", "file: config/other.enc.yaml"));
    const r = await runCommand(bin.sops, ["decrypt", "config/app.enc.yaml"], { env: env(moto()), cwd: project.dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidCiphertext/);
    assert.deepEqual((await moto().kmsOperations()).filter((op) => op === "Decrypt").length, 1);
  });

  it("starts every test with an empty emulator (reset between tests)", async () => {
    assert.deepEqual(await moto().kmsOperations(), []);
    const listed = await moto().kms.send(new ListKeysCommand({}));
    assert.deepEqual(listed.Keys ?? [], []);
  });
});
