import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { kmseal, type CommandResult } from "../peers/harness/command.js";
import { TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";
import { encryptedName } from "../../src/stores/file-name.js";
import { childEnv, firstLine } from "./child-env.js";
import { copyCorpus } from "./corpus-dir.js";

interface BadInput {
  readonly file: string;
  readonly exit: 0 | 2;
  readonly what: string;
  /** exit 2: whether the first line carries `:LINE:COL`, and a pattern of its message. */
  readonly position?: boolean;
  readonly message?: string;
  /** exit 0: the decrypted text when it is not byte for byte the input. */
  readonly output?: string;
}

const CORPUS = JSON.parse(readFileSync(join(process.cwd(), "fixtures", "invalid", "cases.json"), "utf8")) as { cases: BadInput[] };
const TIMEOUT_MS = 20_000;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const run = (args: string[], cwd: string): Promise<CommandResult> => kmseal(args, { env: childEnv(), cwd, timeoutMs: TIMEOUT_MS });

/** The contract for a rejected input: exit 2, one `kmseal: FILE[:L:C]: message` line (plus a hint), no stack, no hang. */
function assertRejected(r: CommandResult, file: string, rest: string): void {
  assert.equal(r.signal, null, `killed by ${r.signal} (a hang?)`);
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.match(firstLine(r.stderr), new RegExp(`^kmseal: ${escape(file)}${rest}`, "i"));
  assert.doesNotMatch(r.stderr, /^\s+at |internal error/m, "no stack trace");
  assert.ok(r.stderr.trimEnd().split("\n").length <= 2, `at most a message and a hint: ${r.stderr}`);
}

async function assertRoundTrip(dir: string, file: string, expected: Buffer): Promise<void> {
  const enc = await run(["encrypt", file, "--age", TEST_AGE_RECIPIENT], dir);
  assert.equal(enc.code, 0, `encrypt: ${enc.stderr}`);
  const dec = await run(["decrypt", "--stdout", encryptedName(file)], dir);
  assert.equal(dec.code, 0, `decrypt: ${dec.stderr}`);
  assert.ok(
    dec.stdout.equals(expected),
    `round trip differs:\n${JSON.stringify(dec.stdout.toString("latin1"))}\n${JSON.stringify(expected.toString("latin1"))}`,
  );
}

describe("bad-input corpus (fixtures/invalid, spawned CLI with a timeout)", () => {
  let dir = "";
  before(() => {
    dir = copyCorpus("invalid");
  });

  for (const c of CORPUS.cases) {
    it(`${c.file}: ${c.what} → ${c.exit === 2 ? "exit 2 with file and position" : "works"}`, async () => {
      if (c.exit === 2) {
        const r = await run(["encrypt", c.file, "--age", TEST_AGE_RECIPIENT], dir);
        assertRejected(r, c.file, `${c.position ? ":\\d+:\\d+" : ""}: .*${c.message ?? ""}`);
        assert.equal(existsSync(join(dir, encryptedName(c.file))), false, "nothing written");
        return;
      }
      const input = readFileSync(join(dir, c.file));
      await assertRoundTrip(dir, c.file, c.output !== undefined ? Buffer.from(c.output, "utf8") : input);
    });
  }
});

describe("bad inputs made at test time", () => {
  const deep = 10_000;
  const nested: [string, string][] = [
    ["deep-map.yaml", "a: " + "{b: ".repeat(deep) + "1" + "}".repeat(deep) + "\n"],
    ["deep-list.yaml", "a: " + "[".repeat(deep) + "1" + "]".repeat(deep) + "\n"],
    ["deep.json", '{"a": ' + '{"b": '.repeat(deep) + "1" + "}".repeat(deep) + "}\n"],
    ["deep-list.json", '{"a": ' + "[".repeat(deep) + "1" + "]".repeat(deep) + "}\n"],
  ];
  for (const [name, text] of nested) {
    it(`${name}: ${deep} levels of nesting → exit 2 with a position, or works (no stack overflow, no hang)`, async () => {
      const dir = testdir({ [name]: text });
      const r = await run(["encrypt", name, "--age", TEST_AGE_RECIPIENT], dir);
      if (r.code === 0) await assertRoundTrip(dir, name, Buffer.from(text));
      else assertRejected(r, name, ":\\d+:\\d+: ");
    });
  }

  it("a directory → exit 2 naming it", async () => {
    const dir = testdir();
    mkdirSync(join(dir, "folder.yaml"));
    assertRejected(await run(["encrypt", "folder.yaml", "--age", TEST_AGE_RECIPIENT], dir), "folder.yaml", ": .*directory");
    assertRejected(await run(["decrypt", "folder.yaml"], dir), "folder.yaml", ": .*directory");
  });

  it("a broken symlink → exit 2 naming it", async () => {
    const dir = testdir();
    symlinkSync(join(dir, "nowhere.yaml"), join(dir, "broken.yaml"));
    assertRejected(await run(["encrypt", "broken.yaml", "--age", TEST_AGE_RECIPIENT], dir), "broken.yaml", ": no such file");
  });

  it("a missing file → exit 2 naming it", async () => {
    const dir = testdir();
    assertRejected(await run(["decrypt", "missing.enc.yaml"], dir), "missing.enc.yaml", ": no such file");
  });

  it("an unreadable file (chmod 000) → exit 2 permission denied; as root, where reads are allowed, it works", async () => {
    const dir = testdir({ "locked.yaml": "a: secret\n" });
    chmodSync(join(dir, "locked.yaml"), 0o000);
    const r = await run(["encrypt", "locked.yaml", "--age", TEST_AGE_RECIPIENT], dir);
    if (process.getuid?.() === 0) assert.equal(r.code, 0, `root can read a 000 file: ${r.stderr}`);
    else assertRejected(r, "locked.yaml", ": permission denied");
  });

  it("an output path that is a directory, or in a missing folder → exit 2, not an internal error", async () => {
    const dir = testdir({ "a.yaml": "a: secret\n" });
    mkdirSync(join(dir, "out.enc.yaml"));
    assertRejected(await run(["encrypt", "a.yaml", "-o", "out.enc.yaml", "--age", TEST_AGE_RECIPIENT], dir), "a.yaml", ": .*out\\.enc\\.yaml.*directory");
    assertRejected(
      await run(["encrypt", "a.yaml", "-o", "no/such/folder/a.enc.yaml", "--age", TEST_AGE_RECIPIENT], dir),
      "a.yaml",
      ": cannot write .*folder does not exist",
    );
  });
});
