import { after, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Decrypter, Encrypter, armor } from "age-encryption";
import { peerSuite } from "./harness/peers.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures } from "./harness/project.js";
import type { Project } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { asData, encryptedName, formatOf } from "./harness/file-format.js";
import { sealedMetadata } from "./harness/sealed-metadata.js";
import { removeTempDirs } from "./harness/temp-dirs.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

type AgeBins = Readonly<Record<"age" | "age-keygen", string>>;

/** A fresh identity from the real age-keygen: the identity line and its recipient. */
async function keygen(bin: AgeBins, project: Project): Promise<{ file: string; identity: string; recipient: string }> {
  const file = project.path("keys.txt");
  const made = await runCommand(bin["age-keygen"], ["-o", file], { env: env(undefined), cwd: project.dir });
  assert.equal(made.code, 0, describeResult("age-keygen", made));
  const identity = project
    .read("keys.txt")
    .toString()
    .split("\n")
    .find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  const pub = await runCommand(bin["age-keygen"], ["-y", file], { env: env(undefined), cwd: project.dir });
  assert.equal(pub.code, 0, describeResult("age-keygen -y", pub));
  assert.ok(identity !== undefined, "age-keygen wrote no identity line");
  return { file, identity, recipient: pub.stdout.toString().trim() };
}

async function ageDecrypt(bin: AgeBins, project: Project, armored: string, identityFile: string): Promise<Buffer> {
  project.write("stanza.age", armored);
  const r = await runCommand(bin.age, ["-d", "-i", identityFile, project.path("stanza.age")], { env: env(undefined), cwd: project.dir });
  assert.equal(r.code, 0, describeResult("age -d", r));
  return r.stdout;
}

peerSuite("age CLI with the age-encryption package", ["age", "age-keygen"], (bin) => {
  after(removeTempDirs);

  it("decrypts an armored file made by age-encryption for the test recipient, giving the 32 bytes", async () => {
    const project = makeProject();
    const identityFile = project.write("test.agekey", `${TEST_AGE_IDENTITY}\n`);
    const dataKey = randomBytes(32);
    const e = new Encrypter();
    e.addRecipient(TEST_AGE_RECIPIENT);
    const armored = armor.encode(await e.encrypt(dataKey));
    assert.match(armored, /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*-----END AGE ENCRYPTED FILE-----\n$/);
    assert.deepEqual(await ageDecrypt(bin, project, armored, identityFile), dataKey);
  });

  it("works both ways with an identity made by age-keygen", async () => {
    const project = makeProject();
    const key = await keygen(bin, project);
    assert.match(key.recipient, /^age1[0-9a-z]+$/);
    const dataKey = randomBytes(32);
    const e = new Encrypter();
    e.addRecipient(key.recipient);
    assert.deepEqual(await ageDecrypt(bin, project, armor.encode(await e.encrypt(dataKey)), key.file), dataKey);

    project.write("key.bin", dataKey);
    const r = await runCommand(bin.age, ["-e", "-a", "-r", key.recipient, project.path("key.bin")], { env: env(undefined), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("age -e -a", r));
    const d = new Decrypter();
    d.addIdentity(key.identity);
    assert.deepEqual(Buffer.from(await d.decrypt(armor.decode(r.stdout.toString()))), dataKey);
  });
});

peerSuite("age CLI with kmseal", ["age", "age-keygen"], (bin) => {
  after(removeTempDirs);
  const fixture = plainFixtures().find((f) => formatOf(f) === "yaml") ?? "basic.yaml";

  it("decrypts the armored data-key stanza kmseal stores, giving 32 bytes", async () => {
    const project = makeProject();
    project.copyFixture(fixture);
    const r = await kmseal(["encrypt", fixture, "--age", TEST_AGE_RECIPIENT], { env: env(undefined), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal encrypt", r));
    const meta = sealedMetadata("yaml", project.read(encryptedName(fixture)));
    assert.equal(meta.age?.length, 1);
    assert.equal(meta.age[0]?.recipient, TEST_AGE_RECIPIENT);
    const identityFile = project.write("test.agekey", `${TEST_AGE_IDENTITY}\n`);
    const dataKey = await ageDecrypt(bin, project, meta.age[0].enc, identityFile);
    assert.equal(dataKey.length, 32);
  });

  it("encrypts for and decrypts with an identity made by age-keygen", async () => {
    const project = makeProject();
    const key = await keygen(bin, project);
    project.copyFixture(fixture);
    const enc = await kmseal(["encrypt", fixture, "--age", key.recipient], { env: env(undefined), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    const withFile = await kmseal(["decrypt", encryptedName(fixture), "--stdout"], {
      env: env(undefined, { KMSEAL_AGE_KEY_FILE: key.file }),
      cwd: project.dir,
    });
    assert.equal(withFile.code, 0, describeResult("kmseal decrypt (KMSEAL_AGE_KEY_FILE)", withFile));
    assert.deepEqual(asData("yaml", withFile.stdout), asData("yaml", project.read(fixture)));
    const withKey = await kmseal(["decrypt", encryptedName(fixture), "--stdout"], { env: env(undefined, { KMSEAL_AGE_KEY: key.identity }), cwd: project.dir });
    assert.equal(withKey.code, 0, describeResult("kmseal decrypt (KMSEAL_AGE_KEY)", withKey));
    assert.deepEqual(asData("yaml", withKey.stdout), asData("yaml", project.read(fixture)));
  });

  it("fails with exit 4 and writes nothing when no age identity is available", async () => {
    const project = makeProject();
    project.copyFixture(fixture);
    const enc = await kmseal(["encrypt", fixture, "--age", TEST_AGE_RECIPIENT], { env: env(undefined), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    const before = project.files();
    const dec = await kmseal(["decrypt", encryptedName(fixture), "-o", "out.yaml"], { env: env(undefined), cwd: project.dir });
    assert.equal(dec.code, 4, describeResult("kmseal decrypt without identity", dec));
    assert.deepEqual(project.files(), before);
  });
});
