/**
 * The older sops release lines users still run (CI images, Flux, helm-secrets and ksops pin their
 * own): scripts/install-peers.sh installs each as .peers/bin/sops-<line>. Every file kind kmseal
 * writes must decrypt with each of them — a decrypt succeeds only with a valid MAC — through KMS
 * (moto) and through age, and kmseal must read every file each of them writes.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { peerSuite, peersRequired } from "./harness/peers.js";
import { PEERS_BIN } from "./harness/paths.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { makeProject, plainFixtures, readFixture } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { asData, encryptedName, formatOf, sopsCannotRead } from "./harness/file-format.js";
import { sopsReading } from "./harness/sops-reading.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

/** The lines and the exact releases scripts/install-peers.sh pins (SOPS_OLD_RELEASES). */
const RELEASES: ReadonlyArray<readonly [line: string, version: string]> = [
  ["3.9", "3.9.4"],
  ["3.10", "3.10.2"],
  ["3.11", "3.11.0"],
  ["3.12", "3.12.2"],
];

/** Releases whose encrypt fails on YAML timestamps (time.Time values from their YAML decoder). */
const OLD_TIMESTAMP_WRITERS = new Set(["3.9"]);

function installed(line: string): string | undefined {
  const path = join(PEERS_BIN, `sops-${line}`);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

const FIXTURES = plainFixtures();

/** Files kmseal writes beyond the plain fixtures: partial encryption under the rule options sops also has. */
const RULED: ReadonlyArray<{ name: string; kmsrc: (key: string) => string; body: string }> = [
  {
    name: "regex.yaml",
    kmsrc: (key) => `rules:\n  - path: "secrets/**"\n    kms: [${key}]\n    age: [${TEST_AGE_RECIPIENT}]\n    encrypted_regex: "^(password|token)$"\n`,
    body: "db:\n  host: db.internal # not secret\n  password: s3cret\nlist:\n  # a comment in a list\n  - token: t0k\n    port: 5432\n",
  },
  {
    name: "suffix.env",
    kmsrc: (key) => `rules:\n  - path: "secrets/**"\n    kms: [${key}]\n    age: [${TEST_AGE_RECIPIENT}]\n    unencrypted_suffix: "_PUBLIC"\n`,
    body: "# comment\nAPI_TOKEN=abc\nURL_PUBLIC=https://example.test\n",
  },
];

/** true when `older` decrypts what the current sops encrypts from the fixture, else its error line. */
async function sopsReadsModern(current: string, older: string, fixture: string): Promise<true | string> {
  const format = formatOf(fixture);
  const types = ["--input-type", format, "--output-type", format];
  const project = makeProject();
  project.write("plain", readFixture(fixture));
  const e = env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY });
  const enc = await runCommand(current, ["encrypt", ...types, "--age", TEST_AGE_RECIPIENT, "plain"], { env: e, cwd: project.dir });
  if (enc.code !== 0) return true;
  project.write("sealed", enc.stdout);
  const dec = await runCommand(older, ["decrypt", ...types, "sealed"], { env: e, cwd: project.dir });
  return dec.code === 0 ? true : (dec.stderr.trim().split("\n").pop() ?? "").slice(0, 120);
}

peerSuite("older sops releases read kmseal's files and kmseal reads theirs", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  for (const [line, version] of RELEASES) {
    const sops = installed(line);
    if (sops === undefined) {
      if (peersRequired())
        it(`sops ${line} is installed (KMSEAL_PEERS=required)`, () => assert.fail(`peers: missing sops-${line} — run scripts/install-peers.sh`));
      else describe(`peers: skipped sops ${line}: sops-${line} not installed — run scripts/install-peers.sh`, { skip: true }, () => {});
      continue;
    }

    describe(`sops ${line}`, () => {
      it(`is sops ${version}`, async () => {
        const r = await runCommand(sops, ["--version", "--disable-version-check"], { env: env(undefined), cwd: PEERS_BIN });
        assert.equal(r.code, 0, describeResult("sops --version", r));
        assert.match(r.stdout.toString(), new RegExp(`^sops ${version.replaceAll(".", "\\.")}\\b`, "m"));
      });

      for (const fixture of FIXTURES) {
        const format = formatOf(fixture);
        const types = ["--input-type", format, "--output-type", format];
        const sealed = `secrets/${encryptedName(fixture)}`;

        it(`decrypts ${fixture} as kmseal sealed it, through KMS and through age`, async (t) => {
          // kmseal seals what sops 3.13.3 seals (a plain YAML date under type:time); a release that
          // cannot read sops 3.13.3's own file of this plaintext cannot read kmseal's either.
          const modern = await sopsReadsModern(bin.sops, sops, fixture);
          if (modern !== true) {
            t.skip(`sops ${line} cannot read sops 3.13.3's own encryption of ${fixture} either (${modern})`);
            return;
          }
          const key = await createKey(moto());
          const project = makeProject();
          project.copyFixture(fixture, `secrets/${fixture}`);
          const enc = await kmseal(["encrypt", `secrets/${fixture}`, "--kms", key.arn, "--age", TEST_AGE_RECIPIENT], { env: env(moto()), cwd: project.dir });
          assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
          // As this sops reads its own encryption of the same plaintext (a plain YAML date is a time to it).
          const expected = await sopsReading(sops, fixture, readFixture(fixture));
          const viaKms = await runCommand(sops, ["decrypt", ...types, sealed], { env: env(moto()), cwd: project.dir });
          assert.equal(viaKms.code, 0, describeResult(`sops ${line} decrypt (KMS)`, viaKms));
          assert.deepEqual(asData(format, viaKms.stdout), expected);
          const viaAge = await runCommand(sops, ["decrypt", ...types, sealed], { env: env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY }), cwd: project.dir });
          assert.equal(viaAge.code, 0, describeResult(`sops ${line} decrypt (age)`, viaAge));
          assert.deepEqual(asData(format, viaAge.stdout), expected);
        });

        const skip = sopsCannotRead(format, readFixture(fixture)) ?? false;
        it(`writes ${fixture} so that kmseal decrypts it, through KMS and through age`, { skip }, async (t) => {
          const key = await createKey(moto());
          const project = makeProject();
          project.copyFixture(fixture, `secrets/${fixture}`);
          const args = ["encrypt", ...types, "--kms", key.arn, "--encryption-context", `file:${sealed}`, "--age", TEST_AGE_RECIPIENT, `secrets/${fixture}`];
          const enc = await runCommand(sops, args, { env: env(moto()), cwd: project.dir });
          // sops before 3.10 cannot encrypt a YAML timestamp (`2024-05-01`) at all: nothing to read.
          if (enc.code !== 0 && format === "yaml" && OLD_TIMESTAMP_WRITERS.has(line) && /Cannot walk value, unknown type: time\.Time/.test(enc.stderr)) {
            t.skip(`sops ${line} refuses to encrypt a YAML timestamp (unknown type: time.Time)`);
            return;
          }
          assert.equal(enc.code, 0, describeResult(`sops ${line} encrypt`, enc));
          project.write(sealed, enc.stdout);
          // sops's own reading is the oracle (it is lossy in places, e.g. YAML timestamps).
          const bySops = await runCommand(sops, ["decrypt", ...types, sealed], { env: env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY }), cwd: project.dir });
          assert.equal(bySops.code, 0, describeResult(`sops ${line} decrypt`, bySops));
          const expected = asData(format, bySops.stdout);
          const viaKms = await kmseal(["decrypt", sealed, "--stdout"], { env: env(moto()), cwd: project.dir });
          assert.equal(viaKms.code, 0, describeResult("kmseal decrypt (KMS)", viaKms));
          assert.deepEqual(asData(format, viaKms.stdout), expected);
          const viaAge = await kmseal(["decrypt", sealed, "--stdout"], { env: env(undefined, { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }), cwd: project.dir });
          assert.equal(viaAge.code, 0, describeResult("kmseal decrypt (age)", viaAge));
          assert.deepEqual(asData(format, viaAge.stdout), expected);
        });
      }

      for (const ruled of RULED) {
        const format = formatOf(ruled.name);
        it(`decrypts ${ruled.name} as kmseal partially sealed it under a .kmsrc rule`, async () => {
          const key = await createKey(moto());
          const project = makeProject(ruled.kmsrc(key.arn));
          project.write(`secrets/${ruled.name}`, ruled.body);
          const enc = await kmseal(["encrypt", `secrets/${ruled.name}`], { env: env(moto()), cwd: project.dir });
          assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
          const sealed = `secrets/${encryptedName(ruled.name)}`;
          for (const [how, e] of [
            ["KMS", env(moto())],
            ["age", env(undefined, { SOPS_AGE_KEY: TEST_AGE_IDENTITY })],
          ] as const) {
            const r = await runCommand(sops, ["decrypt", "--input-type", format, "--output-type", format, sealed], { env: e, cwd: project.dir });
            assert.equal(r.code, 0, describeResult(`sops ${line} decrypt (${how})`, r));
            assert.deepEqual(asData(format, r.stdout), asData(format, Buffer.from(ruled.body)));
          }
        });
      }
    });
  }
});
