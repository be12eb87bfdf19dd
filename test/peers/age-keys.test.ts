/**
 * Every age key type sops reads, against the real age CLI and every installed sops release line:
 * SSH ed25519, SSH RSA (keys from ssh-keygen), post-quantum (age-keygen -pq), a key command, and an
 * age plugin (test/peers/age-plugin-kmsealtest, built by scripts/install-peers.sh). For each: what
 * kmseal seals, sops decrypts; what sops seals, kmseal decrypts; and age's own CLI agrees with
 * kmseal's stanzas both ways. A sops line that predates a key type is skipped saying so.
 */
import { after, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { executable, findPeer, peerSuite, peersRequired } from "./harness/peers.js";
import { KMSEAL_BIN, PEERS_BIN } from "./harness/paths.js";
import { env } from "./harness/peer-env.js";
import { makeProject, type Project } from "./harness/project.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { makeTempDir, removeTempDirs } from "./harness/temp-dirs.js";
import { sealedMetadata } from "./harness/sealed-metadata.js";
import { AgeIdentities, AgeRecipient } from "../../src/keys/age/source.js";
import { TEST_DATA_KEY } from "../helpers/keys.js";
import { KmsealError } from "../../src/core/errors.js";
import { bech32 } from "@scure/base";

const PLAIN = "db:\n    host: db.internal\n    password: s3cret\nport: 5432\n";
const TYPES = ["--input-type", "yaml", "--output-type", "yaml"];

/** sops release lines, newest first, with the line number used for the support table below. */
const SOPS_LINES: ReadonlyArray<readonly [bin: string, line: number]> = [
  ["sops", 13],
  ["sops-3.12", 12],
  ["sops-3.11", 11],
  ["sops-3.10", 10],
  ["sops-3.9", 9],
];

type KindName = "ssh-ed25519" | "ssh-rsa" | "pq" | "key command" | "SSH key command" | "plugin";

/** The first sops line that reads each kind (from sops's age/keysource.go history). */
const SINCE: Record<KindName, number> = { "ssh-ed25519": 10, "ssh-rsa": 10, pq: 12, "key command": 10, "SSH key command": 12, plugin: 10 };

interface Kind {
  readonly recipient: string;
  /** Extra environment for kmseal's decrypt, for sops's decrypt, and for age -d's identity file. */
  readonly kmsealEnv: Record<string, string>;
  readonly sopsEnv: Record<string, string>;
  readonly ageIdentityFile?: string;
  /** For the key command: the recipients it was asked for (SOPS_AGE_RECIPIENT), one a line. */
  readonly log?: string;
  /** PATH for the in-process calls (this test runs inside the repository, whose .peers/bin kmseal never runs plugins from). */
  readonly inProcessPath?: string;
}

const sshKeygen = (() => {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return "ssh-keygen";
  }
  return undefined;
})();

peerSuite("every age key type, with age and sops", ["age", "age-keygen", "sops"], (bin) => {
  after(removeTempDirs);
  const plugin = findPeer("age-plugin-kmsealtest");
  const pluginSkip = "skip" in plugin ? `${plugin.skip} (scripts/install-peers.sh builds it with go)` : undefined;

  const keys = makeTempDir("age-keys");
  const make: Record<KindName, () => Kind> = {
    "ssh-ed25519": () => {
      const file = join(keys, "id_ed25519");
      execFileSync(sshKeygen!, ["-q", "-t", "ed25519", "-N", "", "-C", "dev@example", "-f", file]);
      return {
        recipient: readFileSync(`${file}.pub`, "utf8").trim(),
        kmsealEnv: { KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: file },
        sopsEnv: { SOPS_AGE_SSH_PRIVATE_KEY_FILE: file },
        ageIdentityFile: file,
      };
    },
    "ssh-rsa": () => {
      // Found by both tools as ~/.ssh/id_rsa, the default location.
      const home = makeTempDir("rsa-home");
      mkdirSync(join(home, ".ssh"), { mode: 0o700 });
      const file = join(home, ".ssh", "id_rsa");
      execFileSync(sshKeygen!, ["-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "ops@example", "-f", file]);
      return { recipient: readFileSync(`${file}.pub`, "utf8").trim(), kmsealEnv: { HOME: home }, sopsEnv: { HOME: home }, ageIdentityFile: file };
    },
    pq: () => {
      const file = join(keys, "pq.txt");
      execFileSync(join(PEERS_BIN, "age-keygen"), ["-pq", "-o", file], { stdio: "ignore" });
      const recipient = execFileSync(join(PEERS_BIN, "age-keygen"), ["-y", file], { encoding: "utf8" }).trim();
      return { recipient, kmsealEnv: { KMSEAL_AGE_KEY_FILE: file }, sopsEnv: { SOPS_AGE_KEY_FILE: file }, ageIdentityFile: file };
    },
    "key command": () => {
      const dir = makeTempDir("key-cmd");
      const file = join(dir, "keys.txt");
      execFileSync(join(PEERS_BIN, "age-keygen"), ["-o", file], { stdio: "ignore" });
      const recipient = execFileSync(join(PEERS_BIN, "age-keygen"), ["-y", file], { encoding: "utf8" }).trim();
      const log = join(dir, "asked.log");
      const script = join(dir, "print key");
      writeFileSync(script, `#!/bin/sh\n[ "$1" = "--vault" ] || exit 9\nprintf '%s\\n' "$SOPS_AGE_RECIPIENT" >> '${log}'\ncat '${file}'\n`);
      chmodSync(script, 0o700);
      // A path with a space and an argument: split into words as sops does, run without a shell.
      const command = `'${script}' --vault`;
      writeFileSync(log, "");
      return { recipient, kmsealEnv: { KMSEAL_AGE_KEY_CMD: command }, sopsEnv: { SOPS_AGE_KEY_CMD: command }, log };
    },
    "SSH key command": () => {
      const dir = makeTempDir("ssh-cmd");
      const file = join(dir, "id_ed25519");
      execFileSync(sshKeygen!, ["-q", "-t", "ed25519", "-N", "", "-C", "cmd@example", "-f", file]);
      const log = join(dir, "asked.log");
      const script = join(dir, "print-ssh-key");
      writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$SOPS_AGE_RECIPIENT" >> '${log}'\ncat '${file}'\n`);
      chmodSync(script, 0o700);
      writeFileSync(log, "");
      const recipient = readFileSync(`${file}.pub`, "utf8").trim();
      return { recipient, kmsealEnv: { KMSEAL_AGE_SSH_PRIVATE_KEY_CMD: script }, sopsEnv: { SOPS_AGE_SSH_PRIVATE_KEY_CMD: script }, log };
    },
    plugin: () => {
      const [identity, recipient] = execFileSync((plugin as { path: string }).path, ["--generate"], { encoding: "utf8" })
        .trim()
        .split("\n") as [string, string];
      const file = join(keys, "plugin.txt");
      writeFileSync(file, `${identity}\n`, { mode: 0o600 });
      const outside = makeTempDir("plugin-bin");
      copyFileSync((plugin as { path: string }).path, join(outside, "age-plugin-kmsealtest"));
      chmodSync(join(outside, "age-plugin-kmsealtest"), 0o755);
      const inProcessPath = `${outside}:${PEERS_BIN}:${process.env["PATH"] ?? "/usr/bin:/bin"}`;
      return { recipient, kmsealEnv: { KMSEAL_AGE_KEY: identity }, sopsEnv: { SOPS_AGE_KEY: identity }, ageIdentityFile: file, inProcessPath };
    },
  };

  const kindSkip = (name: KindName): string | false => {
    if ((name === "ssh-ed25519" || name === "ssh-rsa" || name === "SSH key command") && sshKeygen === undefined) return "ssh-keygen is not installed";
    if (name === "plugin" && pluginSkip !== undefined) return pluginSkip;
    return false;
  };

  for (const name of Object.keys(make) as KindName[]) {
    const skip = kindSkip(name);
    if (skip !== false && peersRequired() && name === "plugin") {
      it(`${name}: has the test plugin installed (KMSEAL_PEERS=required)`, () => assert.fail(skip));
      continue;
    }
    let kind: Kind | undefined;
    const get = (): Kind => (kind ??= make[name]());

    if (name !== "key command" && name !== "SSH key command") {
      it(`${name}: age decrypts kmseal's stanza, and kmseal decrypts age's`, { skip }, async () => {
        const k = get();
        const project = makeProject();
        const ageEnv = env(undefined, { ...k.sopsEnv, ...(k.inProcessPath !== undefined ? { PATH: k.inProcessPath } : {}) });
        const record = await new AgeRecipient(k.recipient, ageEnv).wrap(TEST_DATA_KEY);
        project.write("stanza.age", record.enc);
        const d = await runCommand(bin.age, ["-d", "-i", k.ageIdentityFile!, project.path("stanza.age")], { env: ageEnv, cwd: project.dir });
        assert.equal(d.code, 0, describeResult("age -d", d));
        assert.deepEqual(d.stdout, TEST_DATA_KEY);

        project.write("key.bin", TEST_DATA_KEY);
        const e = await runCommand(bin.age, ["-e", "-a", "-r", k.recipient, project.path("key.bin")], { env: ageEnv, cwd: project.dir });
        assert.equal(e.code, 0, describeResult("age -e", e));
        const ids = new AgeIdentities(
          name === "plugin" || name === "pq"
            ? [
                readFileSync(k.ageIdentityFile!, "utf8")
                  .split("\n")
                  .find((l) => l.startsWith("AGE-"))!,
              ]
            : [],
          ageEnv,
        );
        const back = await ids.unwrap({ type: "age", recipient: k.recipient, enc: e.stdout.toString() });
        assert.deepEqual(Buffer.from(back!), TEST_DATA_KEY);
      });
    }

    for (const [sops, line] of SOPS_LINES) {
      const path = sops === "sops" ? bin.sops : join(PEERS_BIN, sops);
      const tooOld = line < SINCE[name] ? `sops 3.${line} does not read ${name} age keys (sops 3.${SINCE[name]}+ does)` : false;
      const missing = !executable(path) ? `${sops} is not installed — run scripts/install-peers.sh` : false;
      // Under KMSEAL_PEERS=required a missing release line fails instead of skipping.
      const lineSkip = skip || tooOld || (peersRequired() ? false : missing);

      it(`${name}: ${sops} decrypts what kmseal seals, and kmseal decrypts what ${sops} seals`, { skip: lineSkip }, async () => {
        assert.equal(missing, false, "the sops release line is installed");
        const k = get();
        const project: Project = makeProject();
        project.write("secrets/app.yaml", PLAIN);
        const enc = await kmseal(["encrypt", "secrets/app.yaml", "--age", k.recipient], { env: env(undefined, k.kmsealEnv), cwd: project.dir });
        assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
        const sealed = "secrets/app.enc.yaml";
        assert.equal(sealedMetadata("yaml", project.read(sealed)).age?.[0]?.recipient, k.recipient);
        const bySops = await runCommand(path, ["decrypt", ...TYPES, sealed], { env: env(undefined, k.sopsEnv), cwd: project.dir });
        assert.equal(bySops.code, 0, describeResult(`${sops} decrypt`, bySops));
        assert.equal(bySops.stdout.toString(), PLAIN);

        const sopsEnc = await runCommand(path, ["encrypt", ...TYPES, "--age", k.recipient, "secrets/app.yaml"], {
          env: env(undefined, k.sopsEnv),
          cwd: project.dir,
        });
        assert.equal(sopsEnc.code, 0, describeResult(`${sops} encrypt`, sopsEnc));
        const fromSops = "secrets/sops.enc.yaml";
        project.write(fromSops, sopsEnc.stdout);
        assert.equal(sealedMetadata("yaml", sopsEnc.stdout).age?.[0]?.recipient, k.recipient, "sops stores the recipient as given");
        if (k.log !== undefined) writeFileSync(k.log, "");
        const dec = await kmseal(["decrypt", fromSops, "--stdout"], { env: env(undefined, k.kmsealEnv), cwd: project.dir });
        assert.equal(dec.code, 0, describeResult("kmseal decrypt", dec));
        assert.equal(dec.stdout.toString(), PLAIN);
        if (k.log !== undefined) {
          // kmseal, like sops 3.12+, runs the command once for the recipient it unwraps and names it.
          assert.deepEqual(
            readFileSync(k.log, "utf8")
              .split("\n")
              .filter((l) => l !== ""),
            [k.recipient],
          );
        }
      });
    }
  }

  it("plugin: kmseal runs age-plugin-NAME only from absolute PATH entries outside the repository", { skip: pluginSkip ?? false }, async () => {
    const project = makeProject();
    project.write("secrets/app.yaml", PLAIN);
    const { recipient } = make.plugin();
    const binary = readFileSync((plugin as { path: string }).path);
    project.write("tools/age-plugin-kmsealtest", binary);
    chmodSync(project.path("tools/age-plugin-kmsealtest"), 0o755);
    const outside = makeTempDir("plugin-ok");
    writeFileSync(join(outside, "age-plugin-kmsealtest"), binary, { mode: 0o755 });
    const encryptWith = (path: string) =>
      kmseal(["encrypt", "secrets/app.yaml", "--stdout", "--age", recipient], { env: env(undefined, { PATH: path }), cwd: project.dir });

    const inRepo = await encryptWith(`${project.path("tools")}:/usr/bin:/bin`);
    assert.equal(inRepo.code, 4, describeResult("kmseal encrypt (plugin inside the repository)", inRepo));
    assert.match(inRepo.stderr, /age-plugin-kmsealtest is not installed.*inside the repository/);
    const relative = await encryptWith("tools:/usr/bin:/bin");
    assert.equal(relative.code, 4, describeResult("kmseal encrypt (relative PATH entry)", relative));
    assert.match(relative.stderr, /age-plugin-kmsealtest is not installed: no absolute PATH entry holds it/);
    assert.doesNotMatch(relative.stderr, /internal error|this is a bug/);
    const ok = await encryptWith(`${outside}:/usr/bin:/bin`);
    assert.equal(ok.code, 0, describeResult("kmseal encrypt (plugin on PATH)", ok));
  });

  it("plugin: an error the plugin reports is a key error naming the plugin", { skip: pluginSkip ?? false }, async () => {
    const k = make.plugin();
    const record = await new AgeRecipient(k.recipient, env(undefined, { PATH: k.inProcessPath! })).wrap(TEST_DATA_KEY);
    const broken = bech32.encode("age-plugin-kmsealtest-", bech32.toWords(Buffer.from("not an identity")), false).toUpperCase();
    await assert.rejects(new AgeIdentities([broken], env(undefined, { PATH: k.inProcessPath! })).unwrap(record), (err: unknown) => {
      assert.ok(err instanceof KmsealError, String(err));
      assert.equal(err.code, "key");
      assert.match(err.message, /^age-plugin-kmsealtest could not unwrap the data key: /);
      return true;
    });
  });

  it(
    "ssh-ed25519 from a PKCS#8 key file (openssl): age opens kmseal's stanza with it, and kmseal opens age's",
    { skip: sshKeygen === undefined ? "ssh-keygen is not installed" : false },
    async (t) => {
      const project = makeProject();
      const file = project.path("ed25519.p8");
      try {
        execFileSync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", file], { stdio: "ignore" });
      } catch {
        t.skip("openssl is not installed");
        return;
      }
      chmodSync(file, 0o600);
      // age derives the public key itself: `age -e -i` wraps to the identity's own recipient.
      project.write("key.bin", TEST_DATA_KEY);
      const e = await runCommand(bin.age, ["-e", "-a", "-i", file, project.path("key.bin")], { env: env(undefined), cwd: project.dir });
      assert.equal(e.code, 0, describeResult("age -e -i", e));
      const ids = new AgeIdentities([], env(undefined, { KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: file }));
      const recipient = (await import("../../src/keys/age/ssh.js")).parseSshIdentity(readFileSync(file, "utf8"), file).publicKey.blob.toString("base64");
      const back = await ids.unwrap({ type: "age", recipient: `ssh-ed25519 ${recipient}`, enc: e.stdout.toString() });
      assert.deepEqual(Buffer.from(back!), TEST_DATA_KEY);
      const record = await new AgeRecipient(`ssh-ed25519 ${recipient}`).wrap(TEST_DATA_KEY);
      project.write("stanza.age", record.enc);
      const d = await runCommand(bin.age, ["-d", "-i", file, project.path("stanza.age")], { env: env(undefined), cwd: project.dir });
      assert.equal(d.code, 0, describeResult("age -d", d));
      assert.deepEqual(d.stdout, TEST_DATA_KEY);
    },
  );

  /** Runs a command on a fresh pseudo-terminal (python's pty), typing `answer` once `prompt` shows. */
  const PTY = `
import os, pty, select, sys
prompt, answer, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen, sent = b"", False
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    if not sent and prompt in seen:
        os.write(fd, answer + b"\\r")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
`;

  it("plugin: a PIN the plugin asks for is read from the terminal without echo; under CI=true nothing is asked", { skip: pluginSkip ?? false }, async () => {
    const k = make.plugin();
    const project = makeProject();
    project.write("secrets/app.yaml", PLAIN);
    const enc = await kmseal(["encrypt", "secrets/app.yaml", "--age", k.recipient], { env: env(undefined), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    const pin = "4321";
    const base = env(undefined, { ...k.kmsealEnv, KMSEALTEST_PIN: pin });
    delete base["CI"];
    const args = ["-c", PTY, "PIN for the test key:", pin, process.execPath, KMSEAL_BIN, "decrypt", "secrets/app.enc.yaml", "-o", "out.yaml"];
    const r = await runCommand("python3", args, { env: base, cwd: project.dir });
    const screen = r.stdout.toString("utf8");
    assert.equal(r.code, 0, `${describeResult("kmseal decrypt on a terminal", r)}; terminal: ${screen}`);
    assert.match(screen, /age-plugin-kmsealtest: touch the test key/);
    assert.match(screen, /age-plugin-kmsealtest: PIN for the test key:/);
    assert.ok(!screen.includes(pin), `the PIN was echoed: ${JSON.stringify(screen)}`);
    assert.equal(project.read("out.yaml").toString(), PLAIN);

    const ci = await kmseal(["decrypt", "secrets/app.enc.yaml", "--stdout"], {
      env: env(undefined, { ...k.kmsealEnv, KMSEALTEST_PIN: pin, CI: "true" }),
      cwd: project.dir,
    });
    assert.equal(ci.code, 4, describeResult("kmseal decrypt under CI", ci));
    assert.match(ci.stderr, /age-plugin-kmsealtest could not unwrap the data key/);
  });
});
