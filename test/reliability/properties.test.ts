import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { describeError } from "../../src/cli/report.js";
import { decryptFile } from "../../src/ops/decrypt.js";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { testdir } from "../helpers/testdir.js";
import { commentsOf, dataOf, dotenvDocument, jsonDocument, yamlDocument } from "./documents.js";

type Format = "yaml" | "json" | "dotenv" | "binary";
/** Bounded so `npm test` stays fast; KMSEAL_PROPERTY_RUNS raises it for a deeper local run. */
const RUNS = Number(process.env["KMSEAL_PROPERTY_RUNS"]) || 100;

const EXT: Record<Format, [string, string]> = {
  yaml: ["doc.yaml", "doc.enc.yaml"],
  json: ["doc.json", "doc.enc.json"],
  dotenv: ["doc.env", "doc.env.enc"],
  binary: ["doc.bin", "doc.bin.enc"],
};
const work = testdir();

/** The ops the CLI runs, called directly: CLI start-up would dominate the time of a thousand runs. */
const services = keyServices({ env: { HOME: "/nonexistent-home", KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });

async function seal(format: Format, text: string | Buffer): Promise<Buffer> {
  const [plain, enc] = EXT[format].map((n) => join(work, n)) as [string, string];
  writeFileSync(plain, text);
  rmSync(enc, { force: true });
  await encryptFile(plain, { age: [TEST_AGE_RECIPIENT], output: enc }, services);
  return readFileSync(enc);
}

/** Decrypts like `kmseal decrypt --stdout`: the exit code the CLI would give, and the output. */
async function unseal(format: Format, sealed: Buffer): Promise<{ code: number; stdoutBytes: Buffer; stderr: string }> {
  const enc = join(work, EXT[format][1]);
  writeFileSync(enc, sealed);
  try {
    const r = await decryptFile(enc, { stdout: true }, services);
    return { code: 0, stdoutBytes: Buffer.from(r.bytes), stderr: "" };
  } catch (err) {
    const { text, exit } = describeError(err, true);
    return { code: exit, stdoutBytes: Buffer.alloc(0), stderr: text };
  }
}

// Every format comes back byte for byte: the manifest keeps the spellings sops's canonical form loses.
const documents: [Format, fc.Arbitrary<string>, "bytes" | "data"][] = [
  ["yaml", yamlDocument, "bytes"],
  ["json", jsonDocument, "bytes"],
  ["dotenv", dotenvDocument, "bytes"],
];

describe("round trip of random documents (fast-check)", () => {
  for (const [format, arbitrary, compare] of documents) {
    it(`${format}: encrypt then decrypt gives the same ${compare === "bytes" ? "bytes" : "data and comments"}`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (text) => {
          const sealed = await seal(format, text);
          const r = await unseal(format, sealed);
          assert.equal(r.code, 0, `decrypt failed: ${r.stderr}`);
          if (compare === "bytes") assert.equal(r.stdoutBytes.toString("utf8"), text);
          else {
            assert.deepEqual(dataOf(format, r.stdoutBytes), dataOf(format, Buffer.from(text)));
            assert.deepEqual(commentsOf(r.stdoutBytes.toString("utf8")), commentsOf(text));
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("binary: any bytes come back unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const r = await unseal("binary", await seal("binary", Buffer.from(bytes)));
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdoutBytes.equals(Buffer.from(bytes)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("random byte mutations of an encrypted file (fast-check)", () => {
  const corpus = join(process.cwd(), "fixtures", "tamper");
  const files: [Format, string, string][] = [
    ["yaml", "yaml/valid.enc.yaml", "plain/source.yaml"],
    ["json", "json/valid.enc.json", "plain/source.json"],
    ["dotenv", "dotenv/valid.env.enc", "plain/source.env"],
    ["binary", "binary/valid.bin.enc", "plain/source.bin"],
  ];
  const mutation = fc.record({
    at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
    op: fc.constantFrom("replace", "insert", "delete"),
  });

  for (const [format, file, plainFile] of files) {
    it(`${format}: a changed, inserted or deleted byte fails with exit 2, 3 or 4, or decrypts to the same data`, async () => {
      const sealed = readFileSync(join(corpus, file));
      const plain = readFileSync(join(corpus, plainFile));
      const want = dataOf(format, plain);
      await fc.assert(
        fc.asyncProperty(mutation, async ({ at, byte, op }) => {
          const i = Math.floor(at * sealed.length);
          const parts = [sealed.subarray(0, i), op === "delete" ? Buffer.alloc(0) : Buffer.from([byte]), sealed.subarray(op === "insert" ? i : i + 1)];
          const mutated = Buffer.concat(parts);
          fc.pre(!mutated.equals(sealed));
          const r = await unseal(format, mutated);
          if (r.code === 0) assert.deepEqual(dataOf(format, r.stdoutBytes), want, "a mutated file decrypted to different data");
          else assert.ok([2, 3, 4].includes(r.code), `exit ${r.code}: ${r.stderr}`);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
