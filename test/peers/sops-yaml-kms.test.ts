/**
 * KMS keys from a `.sops.yaml`, against moto and the real sops: kmseal gives each key exactly the
 * encryption context sops gives it (a key group entry's `context:`, else `--encryption-context`),
 * with no `file` pair, so the stanzas agree and each tool decrypts the other's files.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env } from "./harness/peer-env.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { makeTempDir } from "./harness/temp-dirs.js";

const PLAIN = "db:\n  user: admin\n  password: hunter2\nport: 5432\n";

interface Stanza {
  arn: string;
  context?: Record<string, string>;
  aws_profile: string;
}
const stanzas = (text: string) => (parse(text) as { sops: { kms: Stanza[] } }).sops.kms.map((k) => ({ arn: k.arn, context: k.context ?? {} }));

peerSuite("KMS keys from a .sops.yaml, kmseal against sops (moto)", ["moto_server", "sops"], (bin) => {
  const moto = useMoto(bin.moto_server);

  it("uses the key group's context, and none for the flat kms list, as sops does; each decrypts the other's file", async () => {
    const grouped = await createKey(moto());
    const flat = await createKey(moto());
    const dir = makeTempDir("sopsyaml-kms");
    writeFileSync(
      join(dir, ".sops.yaml"),
      [
        "creation_rules:",
        "  - path_regex: ^billing/",
        "    key_groups:",
        "      - kms:",
        `          - arn: ${grouped.arn}`,
        "            context: { app: billing, tier: prod }",
        `  - kms: ${flat.arn}`,
        "",
      ].join("\n"),
    );
    for (const rel of ["billing/app.yaml", "other/app.yaml"]) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), PLAIN);
    }
    const e = env(moto());
    for (const rel of ["billing/app.yaml", "other/app.yaml"]) {
      const ours = await kmseal(["encrypt", rel], { env: e, cwd: dir });
      assert.equal(ours.code, 0, describeResult("kmseal encrypt", ours));
      const sealedRel = rel.replace(".yaml", ".enc.yaml");
      const theirs = await runCommand(bin.sops, ["encrypt", rel], { env: e, cwd: dir });
      assert.equal(theirs.code, 0, describeResult("sops encrypt", theirs));
      const oursText = readFileSync(join(dir, sealedRel), "utf8");
      assert.deepEqual(stanzas(oursText), stanzas(theirs.stdout.toString()), rel);
      assert.ok(!stanzas(oursText).some((s) => "file" in s.context), "no file pair in a .sops.yaml project");

      const sopsReadsOurs = await runCommand(bin.sops, ["decrypt", sealedRel], { env: e, cwd: dir });
      assert.equal(sopsReadsOurs.code, 0, describeResult("sops decrypt", sopsReadsOurs));
      assert.deepEqual(parse(sopsReadsOurs.stdout.toString()), parse(PLAIN));
      const bySops = sealedRel.replace(".enc.yaml", ".sops.enc.yaml");
      writeFileSync(join(dir, bySops), theirs.stdout);
      const oursReadsSops = await kmseal(["decrypt", "--stdout", bySops], { env: e, cwd: dir });
      assert.equal(oursReadsSops.code, 0, describeResult("kmseal decrypt", oursReadsSops));
      assert.deepEqual(parse(oursReadsSops.stdout.toString()), parse(PLAIN));
    }
  });

  it("adds --context pairs to the flat kms list's keys (sops's encrypt subcommand drops them there; sops -e applies them), and sops decrypts it", async () => {
    const flat = await createKey(moto());
    const dir = makeTempDir("sopsyaml-kms-ctx");
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - kms: ${flat.arn}\n`);
    writeFileSync(join(dir, "app.yaml"), PLAIN);
    const e = env(moto());
    const ours = await kmseal(["encrypt", "--context", "env=dev", "app.yaml"], { env: e, cwd: dir });
    assert.equal(ours.code, 0, describeResult("kmseal encrypt", ours));
    assert.deepEqual(stanzas(readFileSync(join(dir, "app.enc.yaml"), "utf8")), [{ arn: flat.arn, context: { env: "dev" } }]);
    const legacy = await runCommand(bin.sops, ["-e", "--encryption-context", "env:dev", "app.yaml"], { env: e, cwd: dir });
    assert.equal(legacy.code, 0, describeResult("sops -e", legacy));
    assert.deepEqual(stanzas(legacy.stdout.toString()), [{ arn: flat.arn, context: { env: "dev" } }]);
    const dec = await runCommand(bin.sops, ["decrypt", "app.enc.yaml"], { env: e, cwd: dir });
    assert.equal(dec.code, 0, describeResult("sops decrypt", dec));
    assert.deepEqual(parse(dec.stdout.toString()), parse(PLAIN));
  });
});
