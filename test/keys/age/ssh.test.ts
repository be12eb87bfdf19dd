/**
 * SSH recipients and identities (age's ssh-ed25519 and ssh-rsa types), with keys made by the real
 * ssh-keygen in temp dirs. That age itself reads what kmseal writes, and the reverse, is
 * test/peers/age-keys.test.ts; here: kmseal's own round trips, key formats, the identity sources,
 * and the refusals.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgeIdentities, AgeRecipient } from "../../../src/keys/age/source.js";
import { parseSshIdentity, parseSshRecipient, sshTag } from "../../../src/keys/age/ssh.js";
import { KmsealError } from "../../../src/core/errors.js";
import { TEST_DATA_KEY } from "../../helpers/keys.js";

let sshKeygen: string | undefined;
try {
  execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
} catch (err) {
  // ssh-keygen exits 1 on -?; only a missing program is a reason to skip
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") sshKeygen = "ssh-keygen";
}
const skip = sshKeygen === undefined ? "ssh-keygen is not installed" : false;
let openssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  openssl = false;
}

const dir = mkdtempSync(join(tmpdir(), "kmseal-ssh-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh key from ssh-keygen: the private key file and its public line. */
function keygen(name: string, args: string[]): { file: string; pub: string } {
  const file = join(dir, name);
  execFileSync(sshKeygen!, ["-q", "-N", "", "-C", `${name}@test`, "-f", file, ...args]);
  return { file, pub: readFileSync(`${file}.pub`, "utf8").trim() };
}

const isolated = (extra: Record<string, string> = {}) => {
  const home = mkdtempSync(join(dir, "home-"));
  return { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), PATH: process.env["PATH"] ?? "", ...extra };
};

describe("age SSH recipients and identities", { skip }, () => {
  /** A PKCS#8 key from openssl (ssh-keygen writes none for ed25519), its public line built from node's JWK export. */
  const pkcs8 = (name: string, args: string[]): { file: string; pub: string } => {
    const file = join(dir, name);
    execFileSync("openssl", ["genpkey", ...args, "-out", file], { stdio: "ignore" });
    const key = createPublicKey(readFileSync(file));
    const jwk = key.export({ format: "jwk" });
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
    const mpint = (b: Buffer) => ((b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.alloc(1), b]) : b);
    const blob =
      key.asymmetricKeyType === "ed25519"
        ? Buffer.concat([str(Buffer.from("ssh-ed25519")), str(Buffer.from(jwk.x!, "base64url"))])
        : Buffer.concat([str(Buffer.from("ssh-rsa")), str(mpint(Buffer.from(jwk.e!, "base64url"))), str(mpint(Buffer.from(jwk.n!, "base64url")))]);
    return { file, pub: `${key.asymmetricKeyType === "ed25519" ? "ssh-ed25519" : "ssh-rsa"} ${blob.toString("base64")}` };
  };
  const kinds: [string, () => { file: string; pub: string }][] = [
    ["ed25519", () => keygen("ed25519", ["-t", "ed25519"])],
    ["rsa-3072", () => keygen("rsa-3072", ["-t", "rsa", "-b", "3072"])],
    ["rsa-2048-pem", () => keygen("rsa-2048-pem", ["-t", "rsa", "-b", "2048", "-m", "PEM"])],
    ["ed25519-pkcs8", () => pkcs8("ed25519-pkcs8", ["-algorithm", "ed25519"])],
    ["rsa-pkcs8", () => pkcs8("rsa-pkcs8", ["-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048"])],
  ];
  for (const [name, make] of kinds) {
    const needs = name.endsWith("pkcs8") && !openssl ? "openssl is not installed" : false;
    it(`round-trips a data key through an ${name} key named by KMSEAL_AGE_SSH_PRIVATE_KEY_FILE`, { skip: needs }, async () => {
      const key = make();
      const record = await new AgeRecipient(key.pub).wrap(TEST_DATA_KEY);
      assert.equal(record.recipient, key.pub, "the recipient is stored as given, comment and all, as sops does");
      const stanzaType = key.pub.split(" ")[0]!;
      const file = Buffer.from(record.enc.split("\n").slice(1, -2).join(""), "base64").toString("latin1");
      assert.match(file, new RegExp(`^age-encryption\\.org/v1\\n-> ${stanzaType} ${sshTag(parseSshRecipient(key.pub)).replace(/\+/g, "\\+")}`));
      const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: key.file }));
      assert.deepEqual(Buffer.from((await ids.unwrap(record))!), TEST_DATA_KEY);
    });
  }

  it("reads ~/.ssh/id_ed25519 and ~/.ssh/id_rsa, and SOPS_AGE_SSH_PRIVATE_KEY_FILE", async () => {
    const ed = keygen("home-ed", ["-t", "ed25519"]);
    const rsa = keygen("home-rsa", ["-t", "rsa", "-b", "2048"]);
    const other = keygen("sops-var", ["-t", "ed25519"]);
    const env = isolated();
    mkdirSync(join(env.HOME, ".ssh"), { mode: 0o700 });
    writeFileSync(join(env.HOME, ".ssh", "id_ed25519"), readFileSync(ed.file), { mode: 0o600 });
    writeFileSync(join(env.HOME, ".ssh", "id_rsa"), readFileSync(rsa.file), { mode: 0o600 });
    const ids = new AgeIdentities([], { ...env, SOPS_AGE_SSH_PRIVATE_KEY_FILE: other.file });
    for (const pub of [ed.pub, rsa.pub, other.pub]) {
      const record = await new AgeRecipient(pub).wrap(TEST_DATA_KEY);
      assert.deepEqual(Buffer.from((await ids.unwrap(record))!), TEST_DATA_KEY, pub.split(" ")[0]);
    }
  });

  it("returns null for a stanza to another SSH key, and fails for a tampered one to ours", async () => {
    const mine = keygen("mine", ["-t", "ed25519"]);
    const theirs = keygen("theirs", ["-t", "ed25519"]);
    const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: mine.file }));
    assert.equal(await ids.unwrap(await new AgeRecipient(theirs.pub).wrap(TEST_DATA_KEY)), null);
    const record = await new AgeRecipient(mine.pub).wrap(TEST_DATA_KEY);
    // Flip one bit of the stanza body (line 3 of the binary header) and re-armor.
    const bin = Buffer.from(record.enc.split("\n").slice(1, -2).join(""), "base64");
    const bodyAt = bin.indexOf("\n", bin.indexOf("\n") + 1) + 1;
    bin[bodyAt + 2] = bin[bodyAt + 2] === 0x41 ? 0x42 : 0x41;
    const enc = `-----BEGIN AGE ENCRYPTED FILE-----\n${(bin.toString("base64").match(/.{1,64}/g) ?? []).join("\n")}\n-----END AGE ENCRYPTED FILE-----\n`;
    await assert.rejects(
      ids.unwrap({ ...record, enc }),
      (err: unknown) => err instanceof KmsealError && err.code === "key" && /could not be decrypted/.test(err.message),
    );
  });

  it("refuses a passphrase-protected key with a clear message, and names a bad key file", async () => {
    const locked = join(dir, "locked");
    execFileSync(sshKeygen!, ["-q", "-t", "ed25519", "-N", "correct horse", "-f", locked]);
    const pub = readFileSync(`${locked}.pub`, "utf8").trim();
    assert.equal(parseSshIdentity(readFileSync(locked, "utf8"), locked).secret, null);
    const record = await new AgeRecipient(pub).wrap(TEST_DATA_KEY);
    const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: locked }));
    await assert.rejects(ids.unwrap(record), (err: unknown) => err instanceof KmsealError && err.code === "key" && /passphrase-protected/.test(err.message));
    const bad = join(dir, "not-a-key");
    writeFileSync(bad, "hello\n");
    await assert.rejects(
      new AgeIdentities([], isolated({ KMSEAL_AGE_SSH_PRIVATE_KEY_FILE: bad })).unwrap(record),
      (err: unknown) => err instanceof KmsealError && err.message.includes(bad) && err.message.includes("KMSEAL_AGE_SSH_PRIVATE_KEY_FILE"),
    );
    // A missing file named by the variable is an error, not a silent skip.
    await assert.rejects(
      new AgeIdentities([], isolated({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: join(dir, "missing") })).unwrap(record),
      /SOPS_AGE_SSH_PRIVATE_KEY_FILE names .*missing, which does not exist/,
    );
  });

  it("refuses malformed SSH recipients as usage errors naming them", () => {
    const ed = keygen("malformed", ["-t", "ed25519"]).pub;
    const weak = keygen("weak", ["-t", "rsa", "-b", "1024"]).pub;
    const ecdsa = keygen("ecdsa", ["-t", "ecdsa"]).pub;
    const [type, data] = ed.split(" ") as [string, string];
    for (const bad of [
      `${type} ${data.slice(0, -8)}`, // cut off
      type,
      `ssh-rsa ${data}`, // the line's type and the key's differ
      weak,
      ecdsa,
      "ssh-ed25519 !!!!",
    ]) {
      assert.throws(
        () => new AgeRecipient(bad),
        (err: unknown) => err instanceof KmsealError && err.code === "usage" && err.message.includes(`"${bad}" is not an age recipient`),
        bad,
      );
    }
  });
});

describe("KMSEAL_AGE_SSH_PRIVATE_KEY_CMD / SOPS_AGE_SSH_PRIVATE_KEY_CMD", { skip }, () => {
  for (const variable of ["KMSEAL_AGE_SSH_PRIVATE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_CMD"]) {
    it(`${variable}: reads the SSH key the command prints, told the recipient, only when a stanza needs it`, async () => {
      const key = keygen(`cmd-${variable}`, ["-t", "ed25519"]);
      const log = join(dir, `${variable}.log`);
      const script = join(dir, `${variable}.sh`);
      writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$SOPS_AGE_RECIPIENT" >> '${log}'\ncat '${key.file}'\n`, { mode: 0o700 });
      writeFileSync(log, "");
      const ids = new AgeIdentities([], isolated({ [variable]: `'${script}'` }));
      const record = await new AgeRecipient(key.pub).wrap(TEST_DATA_KEY);
      assert.deepEqual(Buffer.from((await ids.unwrap(record))!), TEST_DATA_KEY);
      assert.deepEqual(await ids.unwrap(await new AgeRecipient(keygen(`other-${variable}`, ["-t", "ed25519"]).pub).wrap(TEST_DATA_KEY)), null);
      assert.deepEqual(readFileSync(log, "utf8").trim().split("\n")[0], key.pub);
    });
  }

  it("reports a command that prints something else, naming the variable", async () => {
    const key = keygen("cmd-bad", ["-t", "ed25519"]);
    const record = await new AgeRecipient(key.pub).wrap(TEST_DATA_KEY);
    const ids = new AgeIdentities([], isolated({ KMSEAL_AGE_SSH_PRIVATE_KEY_CMD: "echo hello" }));
    await assert.rejects(ids.unwrap(record), /KMSEAL_AGE_SSH_PRIVATE_KEY_CMD did not print an SSH private key age can use/);
  });
});
