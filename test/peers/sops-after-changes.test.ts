import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import type { TestKey } from "./harness/kms-keys.js";
import type { MotoServer } from "./harness/moto.js";
import { env } from "./harness/peer-env.js";
import { makeProject, readFixture } from "./harness/project.js";
import type { Project } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { asData, encryptedName, formatOf } from "./harness/file-format.js";
import { sopsReading } from "./harness/sops-reading.js";
import { sealedMetadata } from "./harness/sealed-metadata.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

const NEW_VALUE = "changed-by-kmseal-set";

/** One value per format that `kmseal set` changes, and the same change applied to the plain data. */
const SETS = [
  {
    fixture: "basic.yaml",
    keypath: "database.password",
    apply: (d: unknown) => ((d as Array<{ database: Record<string, unknown> }>)[0]!.database["password"] = NEW_VALUE),
  },
  {
    fixture: "basic.json",
    keypath: "database.password",
    apply: (d: unknown) => ((d as { database: Record<string, unknown> }).database["password"] = NEW_VALUE),
  },
  { fixture: "basic.env", keypath: "DB_PASSWORD", apply: (d: unknown) => ((d as Array<[string, string]>).find((p) => p[0] === "DB_PASSWORD")![1] = NEW_VALUE) },
] as const;

function ruleFor(keys: readonly TestKey[], age: readonly string[] = []): string {
  const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
  return `rules:\n  - path: "secrets/**"\n    kms: ${list(keys.map((k) => k.arn))}\n${age.length > 0 ? `    age: ${list(age)}\n` : ""}`;
}

async function ops(moto: MotoServer, since: number): Promise<string[]> {
  return (await moto.kmsOperations()).slice(since);
}

peerSuite("sops reads what kmseal set, rotate, updatekeys and mv write (moto)", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  async function sopsData(project: Project, rel: string, via: "kms" | "age"): Promise<unknown> {
    const format = formatOf(rel);
    const e = via === "kms" ? env(moto()) : env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY });
    const r = await runCommand(bin.sops, ["decrypt", "--input-type", format, "--output-type", format, rel], { env: e, cwd: project.dir });
    assert.equal(r.code, 0, describeResult(`sops decrypt ${rel} (${via})`, r));
    return asData(format, r.stdout);
  }

  async function sealed(project: Project, fixture: string, keyArgs: readonly string[]): Promise<string> {
    project.copyFixture(fixture, `secrets/${fixture}`);
    const r = await kmseal(["encrypt", `secrets/${fixture}`, ...keyArgs], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal encrypt", r));
    return `secrets/${encryptedName(fixture)}`;
  }

  for (const s of SETS) {
    it(`sops decrypts ${s.fixture} after kmseal set ${s.keypath}`, async () => {
      const key = await createKey(moto());
      const project = makeProject();
      const file = await sealed(project, s.fixture, ["--kms", key.arn, "--age", TEST_AGE_RECIPIENT]);
      const r = await kmseal(["set", file, s.keypath, NEW_VALUE], { env: env(moto()), cwd: project.dir });
      assert.equal(r.code, 0, describeResult("kmseal set", r));
      const expected = await sopsReading(bin.sops, s.fixture, readFixture(s.fixture));
      s.apply(expected);
      assert.deepEqual(await sopsData(project, file, "kms"), expected);
      assert.deepEqual(await sopsData(project, file, "age"), expected);
    });
  }

  it("sops decrypts a file after kmseal rotate, which made one Decrypt and one Encrypt per key", async () => {
    const key = await createKey(moto());
    const project = makeProject(ruleFor([key]));
    const file = await sealed(project, "basic.yaml", []);
    const before = sealedMetadata("yaml", project.read(file));
    assert.deepEqual(
      before.kms?.map((k) => k.arn),
      [key.arn],
    );
    const mark = (await moto().kmsOperations()).length;
    const r = await kmseal(["rotate", file], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal rotate", r));
    assert.deepEqual((await ops(moto(), mark)).sort(), ["Decrypt", "Encrypt"]);
    assert.notEqual(sealedMetadata("yaml", project.read(file)).kms?.[0]?.enc, before.kms[0]?.enc);
    assert.deepEqual(await sopsData(project, file, "kms"), await sopsReading(bin.sops, "basic.yaml", readFixture("basic.yaml")));
  });

  it("sops decrypts a file after kmseal updatekeys re-wrapped the same data key for the rule's new keys", async () => {
    const [a, b] = [await createKey(moto(), "old"), await createKey(moto(), "new")];
    const project = makeProject(ruleFor([a]));
    const file = await sealed(project, "basic.yaml", []);
    const valuesBefore = project
      .read(file)
      .toString()
      .match(/ENC\[AES256_GCM,[^\]]*\]/g);
    project.write(".kmsrc", ruleFor([b], [TEST_AGE_RECIPIENT]));
    const r = await kmseal(["updatekeys", file], { env: env(moto()), cwd: project.dir });
    assert.equal(r.code, 0, describeResult("kmseal updatekeys", r));
    const meta = sealedMetadata("yaml", project.read(file));
    assert.deepEqual(
      meta.kms?.map((k) => k.arn),
      [b.arn],
    );
    assert.deepEqual(
      meta.age?.map((k) => k.recipient),
      [TEST_AGE_RECIPIENT],
    );
    const valuesAfter = project
      .read(file)
      .toString()
      .match(/ENC\[AES256_GCM,[^\]]*\]/g);
    assert.deepEqual(valuesAfter?.slice(0, -1), valuesBefore?.slice(0, -1), "values were re-encrypted: the data key changed");
    const bySops = await sopsReading(bin.sops, "basic.yaml", readFixture("basic.yaml"));
    assert.deepEqual(await sopsData(project, file, "kms"), bySops);
    assert.deepEqual(await sopsData(project, file, "age"), bySops);
  });

  for (const fixture of ["basic.yaml", "basic.env"]) {
    it(`kmseal mv re-binds ${fixture} with one ReEncrypt, and sops and kmseal decrypt it at its new path`, async () => {
      const key = await createKey(moto());
      const project = makeProject();
      const from = await sealed(project, fixture, ["--kms", key.arn]);
      const to = `moved/deeper/${encryptedName(fixture)}`;
      mkdirSync(project.path("moved/deeper"), { recursive: true }); // like mv, kmseal mv does not create folders
      const mark = (await moto().recorded()).length;
      const r = await kmseal(["mv", from, to], { env: env(moto()), cwd: project.dir });
      assert.equal(r.code, 0, describeResult("kmseal mv", r));
      const calls = (await moto().recorded()).slice(mark).filter((q) => q.kmsOperation !== undefined);
      assert.deepEqual(
        calls.map((q) => q.kmsOperation),
        ["ReEncrypt"],
      );
      const body = JSON.parse(calls[0]?.body ?? "{}") as { SourceEncryptionContext?: unknown; DestinationEncryptionContext?: unknown };
      assert.deepEqual(body.SourceEncryptionContext, { file: from });
      assert.deepEqual(body.DestinationEncryptionContext, { file: to });
      assert.equal(project.exists(from), false);
      const format = formatOf(fixture);
      assert.deepEqual(sealedMetadata(format, project.read(to)).kms?.[0]?.context, { file: to });
      const original = asData(format, readFixture(fixture));
      assert.deepEqual(await sopsData(project, to, "kms"), await sopsReading(bin.sops, fixture, readFixture(fixture)));
      const dec = await kmseal(["decrypt", to, "--stdout"], { env: env(moto()), cwd: project.dir });
      assert.equal(dec.code, 0, describeResult("kmseal decrypt", dec));
      assert.deepEqual(asData(format, dec.stdout), original);
    });
  }
});
