import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { fakeKms } from "../helpers/fake-kms.js";
import { decryptedName } from "../../src/stores/file-name.js";
import { changes, copyCorpus, snapshot } from "./corpus-dir.js";

interface TamperCase {
  readonly file: string;
  readonly format: string;
  readonly key: "age" | "kms";
  readonly exit: number;
  readonly wrong: string;
  readonly stderr: string;
  readonly plain?: string;
}

const CORPUS = JSON.parse(readFileSync(join(process.cwd(), "fixtures", "tamper", "cases.json"), "utf8")) as { secrets: string[]; cases: TamperCase[] };
const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };

const withoutComments = (text: string) =>
  text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n");

fakeKms();

describe("tamper corpus (fixtures/tamper, decrypt in-process)", () => {
  let dir = "";
  before(() => {
    dir = copyCorpus("tamper");
  });

  it("has cases for every format", () => {
    for (const f of ["yaml", "json", "dotenv", "binary"]) assert.ok(CORPUS.cases.filter((c) => c.format === f && c.exit !== 0).length >= 20, f);
  });

  for (const c of CORPUS.cases) {
    it(`${c.file}: ${c.wrong} → exit ${c.exit}`, async () => {
      const file = join(dir, c.file);
      const beforeRun = snapshot(dir);
      const r = await cli(["decrypt", file], { env });
      assert.equal(r.code, c.exit, `exit ${r.code}: ${r.stderr}`);
      for (const secret of CORPUS.secrets) assert.ok(!r.stderr.includes(secret), `stderr shows the plaintext "${secret}"`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
      if (c.stderr !== "") assert.match(r.stderr, new RegExp(c.stderr, "i"), "the message says what is wrong");
      const written = changes(beforeRun, snapshot(dir));
      if (c.exit !== 0) {
        assert.ok(r.stderr.startsWith(`kmseal: ${file}`), `the message names the file: ${r.stderr}`);
        assert.deepEqual(written, [], "nothing is written");
        return;
      }
      const out = decryptedName(file)!;
      assert.deepEqual(written, [out.slice(dir.length + 1)], "only the plaintext sibling is written");
      const expected = readFileSync(join(dir, c.plain!), "utf8");
      const got = readFileSync(out, "utf8");
      if (c.wrong.startsWith("control")) assert.equal(got, expected);
      else assert.equal(withoutComments(got), withoutComments(expected), "every value decrypts to the original");
    });
  }
});
