import { it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { makeProject } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { asData } from "./harness/file-format.js";

peerSuite("bulk decrypt, edit and unset against the KMS emulator (moto)", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  it("decrypt --all of 50 files makes exactly 50 Decrypt calls; one bad MAC exits 3 while the other 49 are written", async () => {
    const key = await createKey(moto());
    const project = makeProject(`rules:\n  - path: "secrets/**"\n    kms: [${JSON.stringify(key.arn)}]\n`);
    for (let i = 0; i < 50; i++) project.write(`secrets/app${i}.yaml`, `name: app${i}\npassword: pw-${i}\n`);
    const enc = await kmseal(["encrypt", "--all"], { env: env(moto()), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt --all", enc));
    for (let i = 0; i < 50; i++) unlinkSync(project.path(`secrets/app${i}.yaml`));
    const bad = "secrets/app7.enc.yaml";
    project.write(
      bad,
      project
        .read(bad)
        .toString()
        .replace(/mac: ENC\[AES256_GCM,data:(.)/, (_m, c: string) => `mac: ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`),
    );
    const mark = (await moto().kmsOperations()).length;
    const dec = await kmseal(["decrypt", "--all"], { env: env(moto()), cwd: project.dir });
    assert.equal(dec.code, 3, describeResult("kmseal decrypt --all", dec));
    assert.deepEqual((await moto().kmsOperations()).slice(mark), Array(50).fill("Decrypt"));
    assert.match(dec.stderr, /decrypted 49 of 50 files, 1 failed/);
    assert.match(dec.stderr, /app7\.enc\.yaml/);
    for (let i = 0; i < 50; i++) assert.equal(project.exists(`secrets/app${i}.yaml`), i !== 7, `app${i}.yaml`);
  });

  it("sops decrypts a file after kmseal edit (scripted editor) and after kmseal unset", async () => {
    const key = await createKey(moto());
    const project = makeProject();
    project.write("app.yaml", "db:\n  user: admin\n  password: old\nextra: remove-me\n");
    const e = env(moto());
    assert.equal((await kmseal(["encrypt", "app.yaml", "--kms", key.arn], { env: e, cwd: project.dir })).code, 0);
    const editor = join(project.dir, "..", `editor-${Date.now()}.sh`);
    writeFileSync(editor, "#!/bin/sh\nsed -i 's/password: old/password: new/' \"$1\"\n");
    chmodSync(editor, 0o755);
    const edit = await kmseal(["edit", "app.enc.yaml"], { env: { ...e, EDITOR: editor, VISUAL: "" }, cwd: project.dir });
    assert.equal(edit.code, 0, describeResult("kmseal edit", edit));
    const unset = await kmseal(["unset", "app.enc.yaml", "extra"], { env: e, cwd: project.dir });
    assert.equal(unset.code, 0, describeResult("kmseal unset", unset));
    const r = await runCommand(bin.sops, ["decrypt", "--input-type", "yaml", "--output-type", "yaml", "app.enc.yaml"], { env: e, cwd: project.dir });
    assert.equal(r.code, 0, describeResult("sops decrypt", r));
    assert.deepEqual(asData("yaml", r.stdout), asData("yaml", Buffer.from("db:\n  user: admin\n  password: new\n")));
  });
});
