#!/usr/bin/env node
// Dev tool: regenerates fixtures/tamper/ — valid sealed YAML, JSON, dotenv and binary files (test age
// identity, and the fake KMS of test/helpers/fake-kms.ts) plus one file per single-field manipulation,
// and fixtures/tamper/cases.json (file, expected exit code, what is wrong, what stderr must say).
// Needs a test build first:  npx tsc -p tsconfig.test.json && node scripts/make-tamper-corpus.mjs
// It decrypts every case once and lists those whose exit code differs from the expected one.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { CASES, FORMATS, SECRETS, SOURCES } from "./tamper-cases.mjs";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const OUT = join(ROOT, "fixtures", "tamper");
const { run } = await import(join(ROOT, "build/src/cli/main.js"));
const { fakeKms, FAKE_ARN } = await import(join(ROOT, "build/test/helpers/fake-kms.js"));
const { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } = await import(join(ROOT, "build/test/helpers/keys.js"));
fakeKms();

const ENV = {
  HOME: "/nonexistent-home",
  KMSEAL_AGE_KEY: TEST_AGE_IDENTITY,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDTEST",
  AWS_SECRET_ACCESS_KEY: "test",
};

async function cli(args) {
  let stderr = "";
  const code = await run(args, {
    stdout: { write: () => true },
    stderr: { write: (c) => (stderr += c) },
    stdin: Readable.from([]),
    env: ENV,
    stderrIsTTY: false,
  });
  return { code, stderr };
}

const work = mkdtempSync(join(tmpdir(), "kmseal-tamper-"));
writeFileSync(join(work, ".kmsrc"), "rules: []\n");
const entries = [];
try {
  for (const fmt of FORMATS) {
    const { name, text } = SOURCES[fmt];
    mkdirSync(join(work, "plain"), { recursive: true });
    mkdirSync(join(work, fmt), { recursive: true });
    writeFileSync(join(work, "plain", name), text);
    const valid = {};
    for (const base of ["age", "kms"]) {
      const rel = `${fmt}/${base === "age" ? "valid" : "kms-valid"}${encSuffix(fmt)}`;
      const keys = base === "age" ? ["--age", TEST_AGE_RECIPIENT] : ["--kms", FAKE_ARN];
      const r = await cli(["encrypt", join(work, "plain", name), "-o", join(work, rel), ...keys]);
      if (r.code !== 0) throw new Error(`encrypt ${rel}: ${r.stderr}`);
      valid[base] = readFileSync(join(work, rel), "utf8");
      entries.push({ file: rel, format: fmt, key: base, exit: 0, wrong: `control: an untouched ${base}-sealed file`, stderr: "", plain: `plain/${name}` });
    }
    for (const c of CASES) {
      if (c.formats !== undefined && !c.formats.includes(fmt)) continue;
      const base = c.key ?? "age";
      const rel = `${fmt}/${c.dir ? c.dir + "/" : ""}${c.name}${encSuffix(fmt)}`;
      const validRel = `${fmt}/${base === "age" ? "valid" : "kms-valid"}${encSuffix(fmt)}`;
      mkdirSync(dirname(join(work, rel)), { recursive: true });
      let sealed = valid[base];
      if (base === "kms" && c.sealedAt !== "valid") {
        // KMS cases are sealed at their own path, so the path check passes and KMS itself is reached.
        const r = await cli(["encrypt", join(work, "plain", name), "-o", join(work, rel), "--kms", FAKE_ARN]);
        if (r.code !== 0) throw new Error(`encrypt ${rel}: ${r.stderr}`);
        sealed = readFileSync(join(work, rel), "utf8");
      }
      const text = c.mutate(sealed, fmt, { rel, validRel, other: valid[base === "age" ? "kms" : "age"] });
      if (text === sealed && c.sealedAt !== "valid") throw new Error(`${rel}: the mutation changed nothing`);
      writeFileSync(join(work, rel), text);
      entries.push({ file: rel, format: fmt, key: base, exit: c.exit, wrong: c.what, stderr: c.stderr, ...(c.exit === 0 ? { plain: `plain/${name}` } : {}) });
    }
  }
  const mismatches = [];
  for (const e of entries) {
    const r = await cli(["decrypt", "--stdout", join(work, e.file)]);
    if (r.code !== e.exit || (e.stderr && !new RegExp(e.stderr, "i").test(r.stderr)))
      mismatches.push(`${e.file}: exit ${r.code} (want ${e.exit}) ${r.stderr.trim().split("\n")[0]}`);
  }
  rmSync(OUT, { recursive: true, force: true });
  cpSync(work, OUT, { recursive: true });
  writeFileSync(join(OUT, "cases.json"), JSON.stringify({ secrets: SECRETS, cases: entries }, null, 2) + "\n");
  console.log(`wrote ${entries.length} files (${entries.filter((e) => e.exit !== 0).length} manipulated) to ${OUT}`);
  if (mismatches.length > 0) {
    console.log(`${mismatches.length} cases differ from their expected result:\n  ${mismatches.join("\n  ")}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function encSuffix(fmt) {
  return fmt === "yaml" ? ".enc.yaml" : fmt === "json" ? ".enc.json" : fmt === "dotenv" ? ".env.enc" : ".bin.enc";
}
