/**
 * `kmseal check --staged` (what the pre-commit hook runs) fails closed: every index entry that is not
 * a deletion is checked, whatever its name, and a covered entry whose content cannot be checked is a
 * failure, never a skip. Each case is a real git repository driven through the CLI.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { decodePath, encodePath } from "../../src/git/git.js";
import { encryptFile } from "../../src/ops/encrypt.js";
import { keyServices } from "../../src/ops/keys/services.js";
import { encryptedName, formatOf } from "../../src/stores/file-name.js";
import type { Format } from "../../src/stores/store.js";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { CLI_MAIN, cleanEnv, git, gitTry, installLocalKmseal, removeDir, tempDir, tempRepo, writeFiles } from "../git/temp-repo.js";

/** Bounded: every run spawns git a few times. KMSEAL_PROPERTY_RUNS raises it for a deeper local run. */
const RUNS = Number(process.env["KMSEAL_PROPERTY_RUNS"]) || 40;
const SECRET = "s3cret-value";
/** `kmseal init`'s default rules, plus one that covers top-level `*.env` names such as `0:prod.env`. */
const KMSRC = [
  "rules:",
  '  - path: "secrets/**"',
  `    age: [${TEST_AGE_RECIPIENT}]`,
  '  - path: "**/{.env,.env.*,*.env}"',
  '    exclude: ["*.example"]',
  `    age: [${TEST_AGE_RECIPIENT}]`,
  "",
].join("\n");
const PLAIN: Record<Format, string> = {
  yaml: `password: ${SECRET}\n`,
  json: `{"password": "${SECRET}"}\n`,
  dotenv: `PASSWORD=${SECRET}\n`,
  binary: `${SECRET}\n`,
};
const SAMPLE: Record<Format, string> = { yaml: "s.yaml", json: "s.json", dotenv: "s.env", binary: "s.bin" };

const dirs: string[] = [];
after(() => {
  dirs.forEach(removeDir);
});
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }, notice: () => undefined });
/** A sealed file of each format: age binds no path, so the same bytes are valid under any name. */
const sealed = {} as Record<Format, Buffer>;

before(async () => {
  const scratch = tempDir();
  dirs.push(scratch);
  for (const format of Object.keys(SAMPLE) as Format[]) {
    writeFileSync(join(scratch, SAMPLE[format]), PLAIN[format]);
    const r = await encryptFile(join(scratch, SAMPLE[format]), { age: [TEST_AGE_RECIPIENT] }, services);
    sealed[format] = readFileSync(r.path!);
  }
});

function repo(files: Record<string, string | Uint8Array> = {}): string {
  const dir = tempRepo({ ".kmsrc": KMSRC, ...files });
  dirs.push(dir);
  git(dir, "add", ".kmsrc");
  git(dir, "commit", "-q", "-m", "kmsrc");
  return dir;
}

/** The CLI as a separate process, the way the hook runs it. */
function kmseal(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd, env: cleanEnv({ HOME: cwd }), encoding: "utf8" });
}

interface Report {
  ok: boolean;
  checked: number;
  findings: { file: string; kind: string; severity: string; message: string; fix: string }[];
}

function stagedReport(dir: string): { status: number | null; report: Report; stderr: string } {
  const r = kmseal(dir, ["check", "--staged", "--json"]);
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET));
  return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const errorsOf = (report: Report) => report.findings.filter((f) => f.severity === "error").map((f) => [f.file, f.kind]);

/** Writes a file whose name is given as bytes (Node string paths cannot hold bytes that are not UTF-8). */
function writeRaw(dir: string, rel: Uint8Array, content: string | Uint8Array): void {
  const path = Buffer.concat([Buffer.from(dir + "/"), rel]);
  const slash = path.lastIndexOf(0x2f);
  mkdirSync(path.subarray(0, slash), { recursive: true });
  writeFileSync(path, content);
}

describe("check --staged fails closed", () => {
  it("checks a type change: a committed symbolic link replaced by a plaintext secrets file", () => {
    const dir = repo();
    mkdirSync(join(dir, "secrets"));
    symlinkSync("../elsewhere/app.env", join(dir, "secrets/app.env"));
    git(dir, "add", "secrets/app.env");
    git(dir, "commit", "-q", "--no-verify", "-m", "link");
    rmSync(join(dir, "secrets/app.env"));
    writeFileSync(join(dir, "secrets/app.env"), PLAIN.dotenv);
    git(dir, "add", "secrets/app.env");
    assert.match(git(dir, "diff", "--cached", "--name-status"), /^T\tsecrets\/app\.env$/m);
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report), [["secrets/app.env", "plaintext-file"]]);
  });

  it("the installed hook refuses that commit", () => {
    const dir = repo();
    installLocalKmseal(dir);
    writeFiles(dir, { ".gitignore": "node_modules/\n" });
    symlinkSync("target", join(dir, ".env.prod"));
    git(dir, "add", ".gitignore", ".env.prod");
    git(dir, "commit", "-q", "--no-verify", "-m", "link");
    assert.equal(kmseal(dir, ["hook", "install"]).status, 0);
    rmSync(join(dir, ".env.prod"));
    writeFileSync(join(dir, ".env.prod"), PLAIN.dotenv);
    git(dir, "add", ".env.prod");
    const r = gitTry(dir, ["commit", "-q", "-m", "secret"], { HOME: dir });
    assert.equal(r.status, 1, r.stderr); // git's status for a refusing hook
    assert.match(r.stderr, /exit 6\)$/m);
    assert.match(r.stderr, /\.env\.prod: plaintext file \(covered by \.kmsrc rule/);
    assert.equal(git(dir, "log", "--format=%s", "-1").trim(), "link");
  });

  it("checks a name that is not UTF-8", () => {
    const dir = repo();
    const name = Buffer.concat([Buffer.from("secrets/n"), Buffer.of(0xff, 0xfe), Buffer.from("e.env")]);
    writeRaw(dir, name, PLAIN.dotenv);
    git(dir, "add", "-A");
    const { status, report, stderr } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report), [[decodePath(name), "plaintext-file"]]);
    assert.equal(report.findings[0]!.file, "secrets/n\udcff\udcfee.env");
    // The text report writes the bytes as git does, and the fix quotes them so a paste names the file.
    const text = kmseal(dir, ["check", "--staged"]);
    assert.match(text.stderr, /^kmseal: secrets\/n\\377\\376e\.env: plaintext file/m);
    assert.match(text.stderr, /fix: kmseal encrypt \$'secrets\/n\\377\\376e\.env'/);
    assert.equal(stderr, "");
  });

  it("checks a top-level name that reads as an index stage (`0:prod.env`)", () => {
    const dir = repo();
    // The `:0:prod.env` lookup would have read prod.env, here a properly encrypted file.
    writeFiles(dir, { "0:prod.env": PLAIN.dotenv, "prod.env.enc": sealed.dotenv, ":x.env": PLAIN.dotenv, "-rf.env": PLAIN.dotenv });
    git(dir, "add", "-A");
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report).sort(), [
      ["-rf.env", "plaintext-file"],
      ["0:prod.env", "plaintext-file"],
      [":x.env", "plaintext-file"],
    ]);
    assert.equal(report.checked, 4);
  });

  it("checks a name with a newline under a `dir/**` rule, and prints it on one line", () => {
    const dir = repo();
    writeFiles(dir, { "secrets/a\nb.yaml": PLAIN.yaml, "secrets/d\ne/.env.prod": PLAIN.dotenv, "secrets/ok\n.enc.yaml": sealed.yaml });
    git(dir, "add", "-A");
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report).sort(), [
      ["secrets/a\nb.yaml", "plaintext-file"],
      ["secrets/d\ne/.env.prod", "plaintext-file"],
    ]);
    assert.equal(report.checked, 3);
    const text = kmseal(dir, ["check", "--staged"]);
    assert.match(text.stderr, /^kmseal: secrets\/a\\nb\.yaml: plaintext file/m);
    assert.doesNotMatch(text.stderr, /^b\.yaml/m, "the name did not end the line");
  });

  it("fails on a covered entry whose blob is not in the object database", () => {
    const dir = repo();
    writeFiles(dir, { "secrets/ok.enc.yaml": sealed.yaml });
    git(dir, "add", "-A");
    git(dir, "update-index", "--add", "--cacheinfo", `100644,${"1234567890".repeat(4)},secrets/lost.yaml`);
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report), [["secrets/lost.yaml", "staged-unreadable"]]);
    assert.match(report.findings[0]!.message, /blob 1234567890\w+ cannot be read from the object database \(covered by \.kmsrc rule "secrets\/\*\*"\)/);
    assert.equal(report.checked, 2);
  });

  it("fails on a covered entry left unmerged by a conflict", () => {
    const dir = repo({ "secrets/app.enc.yaml": sealed.yaml });
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--no-verify", "-m", "base");
    git(dir, "checkout", "-q", "-b", "other");
    writeFiles(dir, { "secrets/app.enc.yaml": sealed.json });
    git(dir, "commit", "-q", "--no-verify", "-am", "other");
    git(dir, "checkout", "-q", "main");
    writeFiles(dir, { "secrets/app.enc.yaml": sealed.dotenv });
    git(dir, "commit", "-q", "--no-verify", "-am", "main");
    assert.notEqual(gitTry(dir, ["merge", "-q", "other"]).status, 0);
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report), [["secrets/app.enc.yaml", "staged-unreadable"]]);
    assert.match(report.findings[0]!.message, /unmerged in the index/);
  });

  it("refuses a symbolic link at a covered path, and ignores one elsewhere", () => {
    const dir = repo();
    mkdirSync(join(dir, "secrets"));
    symlinkSync("../README", join(dir, "secrets/app.enc.yaml"));
    symlinkSync("secrets", join(dir, "docs-link"));
    git(dir, "add", "-A");
    const { status, report } = stagedReport(dir);
    assert.equal(status, 6);
    assert.deepEqual(errorsOf(report), [["secrets/app.enc.yaml", "staged-symlink"]]);
    assert.match(report.findings[0]!.message, /symbolic link is staged \(covered by \.kmsrc rule "secrets\/\*\*"\): git would commit the link/);
    assert.match(report.findings[0]!.fix, /git rm --cached -q secrets\/app\.enc\.yaml/);
  });

  it("passes a submodule entry (mode 160000) at a covered path without reading it", () => {
    const dir = repo({ "secrets/ok.enc.yaml": sealed.yaml });
    git(dir, "add", "-A");
    git(dir, "update-index", "--add", "--cacheinfo", `160000,${"abcdef0123".repeat(4)},secrets/vendored`);
    const { status, report } = stagedReport(dir);
    assert.equal(status, 0);
    assert.deepEqual([report.ok, report.checked], [true, 1]);
  });
});

describe("check without --staged (what a commit could contain)", () => {
  it("reads and matches a name that is not UTF-8 or holds a newline", () => {
    const dir = repo({ "secrets/a\nb.yaml": PLAIN.yaml });
    writeRaw(dir, Buffer.concat([Buffer.from("secrets/x"), Buffer.of(0xc3), Buffer.from(".env")]), PLAIN.dotenv);
    const r = kmseal(dir, ["check", "--json"]);
    assert.equal(r.status, 6, r.stderr);
    assert.deepEqual(errorsOf(JSON.parse(r.stdout) as Report).sort(), [
      ["secrets/a\nb.yaml", "plaintext-file"],
      ["secrets/x\udcc3.env", "plaintext-file"],
    ]);
  });
});

/** One piece of a generated name segment: the hard cases, plain text, or bytes that are not UTF-8. */
const piece = fc.oneof(
  fc.constantFrom(
    "\n",
    ":",
    "0:",
    ":0:",
    "-",
    "--",
    " ",
    "\t",
    "\r",
    "\u007f",
    "\u0001",
    "é",
    "日本",
    "🔑",
    "\\",
    "'",
    '"',
    "$",
    "`",
    "*",
    "?",
    "[a]",
    "{a,b}",
    "!",
    "~",
    "#",
    ".",
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }),
  fc.uint8Array({ minLength: 1, maxLength: 3, min: 0x80, max: 0xff }),
);
const segment = fc
  .array(piece, { minLength: 1, maxLength: 5 })
  .map((parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))))
  .filter((b) => !b.includes(0) && !b.includes(0x2f) && b.length <= 120)
  .filter((b) => {
    const s = b.toString("latin1").toLowerCase();
    return s !== "." && s !== ".." && !s.startsWith(".git") && s !== ".kmsrc" && !s.startsWith("git~");
  });
/** Under `secrets/` at any depth with any name, or (at any depth, top level included) a `*.env` name. */
const name = fc.oneof(
  fc
    .tuple(fc.array(segment, { maxLength: 3 }), segment, fc.constantFrom("", ".yaml", ".json", ".env", ".txt"))
    .map(([ds, base, ext]) => Buffer.concat([Buffer.from("secrets/"), ...ds.map((d) => Buffer.concat([d, Buffer.from("/")])), base, Buffer.from(ext)])),
  fc
    .tuple(fc.array(segment, { maxLength: 2 }), fc.constantFrom("", "0:", ":", "-", ":0:", " "), segment)
    .map(([ds, prefix, stem]) => Buffer.concat([...ds.map((d) => Buffer.concat([d, Buffer.from("/")])), Buffer.from(prefix), stem, Buffer.from(".env")])),
);

describe("check --staged over generated file names", () => {
  it(`refuses each as plaintext and passes it encrypted (${RUNS} runs)`, async () => {
    const dir = repo();
    const fresh = () => {
      git(dir, "reset", "-q");
      git(dir, "clean", "-fdxq");
    };
    await fc.assert(
      fc.asyncProperty(name, async (raw) => {
        const plain = decodePath(raw);
        const format = formatOf(plain);
        fresh();
        writeRaw(dir, raw, PLAIN[format]);
        git(dir, "add", "-A");
        const refused = await cli(["check", "--staged", "--json"], { cwd: dir });
        assert.equal(refused.code, 6, `${JSON.stringify(plain)}: ${refused.stderr}`);
        const report = JSON.parse(refused.stdout) as Report;
        assert.deepEqual(errorsOf(report), [[plain, "plaintext-file"]], JSON.stringify(plain));
        assert.doesNotMatch(refused.stdout + refused.stderr, new RegExp(SECRET));

        fresh();
        const enc = encryptedName(plain);
        writeRaw(dir, encodePath(enc), sealed[format]);
        git(dir, "add", "-A");
        const passed = await cli(["check", "--staged", "--json"], { cwd: dir });
        assert.equal(passed.code, 0, `${JSON.stringify(enc)}: ${passed.stdout}${passed.stderr}`);
        assert.deepEqual(JSON.parse(passed.stdout), { ok: true, checked: 1, errors: 0, warnings: 0, findings: [] });
      }),
      { numRuns: RUNS },
    );
  });
});

describe("decodePath", () => {
  it("gives every name its own string and maps it back to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        const [da, db] = [decodePath(a), decodePath(b)];
        assert.deepEqual(encodePath(da), Buffer.from(a));
        assert.equal(da === db, Buffer.from(a).equals(Buffer.from(b)));
        assert.equal(da.includes("/"), a.includes(0x2f));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const bytes = Buffer.from(s);
        if (bytes.toString("utf8") === s) assert.equal(decodePath(bytes), s); // s without lone surrogates
      }),
      { numRuns: 1000 },
    );
  });
});
