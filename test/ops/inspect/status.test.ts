import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { metadataFromPlain, metadataToPlain } from "../../../src/core/metadata.js";
import { encryptFile } from "../../../src/ops/encrypt.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { status } from "../../../src/ops/inspect/status.js";
import { loadStore } from "../../../src/stores/registry.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../../helpers/keys.js";
import { removeDir, tempRepo } from "../../git/temp-repo.js";

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

async function project(): Promise<string> {
  const dir = tempRepo({
    ".kmsrc": `rules:\n  - path: "config/**"\n    age: [${TEST_AGE_RECIPIENT}]\n`,
    "config/app.json": '{"password": "s3cret"}',
    "config/plain.json": '{"password": "s3cret"}',
    "config/bound.json": '{"a": "b"}',
    "README.md": "x",
  });
  dirs.push(dir);
  await encryptFile(join(dir, "config/app.json"), {}, services);
  const bound = (await encryptFile(join(dir, "config/bound.json"), {}, services)).path!;
  const doc = (await loadStore("json")).parse(readFileSync(bound));
  const meta = metadataFromPlain(doc.metadata);
  const kms = {
    type: "kms" as const,
    arn: ARN,
    awsProfile: "",
    context: { file: "elsewhere/bound.enc.json" },
    createdAt: "2024-01-01T00:00:00Z",
    enc: "AQID",
    role: undefined,
  };
  writeFileSync(
    bound,
    doc.render(
      doc.leaves.map(() => undefined),
      metadataToPlain({ ...meta, keys: [...meta.keys, kms] }),
    ),
  );
  return dir;
}

describe("status", () => {
  it("describes every covered file when no file is named", async () => {
    const dir = await project();
    const all = await status({ cwd: dir });
    assert.deepEqual(
      all.map((s) => [s.file, s.encrypted, s.rule]),
      [
        ["config/app.enc.json", true, "config/**"],
        ["config/app.json", false, "config/**"],
        ["config/bound.enc.json", true, "config/**"],
        ["config/bound.json", false, "config/**"],
        ["config/plain.json", false, "config/**"],
      ],
    );
    const app = all[0]!;
    assert.deepEqual([app.age, app.kms, app.context, app.counterpart, app.problems], [[TEST_AGE_RECIPIENT], [], "none", "config/app.json", []]);
    assert.match(app.lastmodified ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual([all[4]!.lastmodified, all[4]!.counterpart], [null, null]);
  });

  it("names the KMS keys and says when the `file` context is not the file's path", async () => {
    const dir = await project();
    const [bound] = await status({ cwd: dir, files: ["config/bound.enc.json"] });
    assert.deepEqual([bound!.kms, bound!.context, bound!.boundTo, bound!.path], [[ARN], "mismatch", "elsewhere/bound.enc.json", "config/bound.enc.json"]);
  });

  it("shows a file no rule covers, and fails on a missing file", async () => {
    const dir = await project();
    const [readme] = await status({ cwd: dir, files: ["README.md"] });
    assert.deepEqual([readme!.encrypted, readme!.rule], [false, null]);
    await assert.rejects(status({ cwd: dir, files: ["nope.yaml"] }), /no such file/);
  });

  it("reports a plaintext copy git does not ignore, with the .gitignore line, and labels each name of a pair", async () => {
    const dir = await project();
    const [enc, plain] = await status({ cwd: dir, files: ["config/app.enc.json", "config/app.json"] });
    assert.deepEqual([enc!.counterpartName, enc!.gitIgnored, plain!.counterpartName, plain!.gitIgnored], ["plaintext", null, "encrypted", false]);
    assert.deepEqual(plain!.problems, [
      "plaintext and git does not ignore it: add the line /config/app.json to .gitignore (kmseal init --update adds the lines for every .kmsrc rule)",
    ]);
    writeFileSync(join(dir, ".gitignore"), "/config/app.json\n");
    const [again] = await status({ cwd: dir, files: ["config/app.json"] });
    assert.deepEqual([again!.gitIgnored, again!.problems], [true, []]);
  });

  it("says when a file is encrypted under its plaintext name", async () => {
    const dir = await project();
    writeFileSync(join(dir, "config/misnamed.json"), readFileSync(join(dir, "config/app.enc.json")));
    const [s] = await status({ cwd: dir, files: ["config/misnamed.json"] });
    assert.equal(s!.encrypted, true);
    assert.ok(
      s!.problems.includes("encrypted under a plaintext name, which .gitignore may hide; its encrypted name is config/misnamed.enc.json"),
      s!.problems.join(),
    );
  });
});
