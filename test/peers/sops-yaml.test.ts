/**
 * A repository with only a `.sops.yaml`: kmseal and the real sops seal the same files with the same
 * recipients and the same encrypted and plain values; sops decrypts kmseal's files; the `.kmsrc`
 * that `init --from-sops` writes seals them the same way. Then sops's CLI habits kmseal takes as
 * aliases (`filestatus`, `decrypt --extract`, `--input-type`, comma lists), output for output.
 */
import { after, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { peerSuite } from "./harness/peers.js";
import { env } from "./harness/peer-env.js";
import { describeResult, kmseal, runCommand } from "./harness/command.js";
import { makeTempDir, removeTempDirs } from "./harness/temp-dirs.js";

interface Key {
  readonly file: string;
  readonly recipient: string;
}

const PLAIN: Readonly<Record<string, string>> = {
  "secrets/db.yaml": "user: app\npassword: hunter2\nreplicas:\n  - host: db1\n    token: t-1\n  - host: db2\n    token: t-2\nport: 5432\n",
  "secrets/api.json": '{"name": "billing", "token": "tok", "nested": {"password": "pw", "url": "https://x"}, "n": 3}\n',
  "app/config.yaml": "log: debug\nfeature:\n  enabled: true\n  ratio: 0.25\n",
  ".env.prod": "DB_PASSWORD=s3cret\nAPP_NAME=billing\n",
};

/** Each leaf as "ENC" or its plaintext, so two sealed files compare by what is encrypted, not by ciphertext. */
function shape(text: string, name: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => k !== "sops")
          .map(([k, x]) => [k, strip(x)]),
      );
    return typeof v === "string" && v.startsWith("ENC[AES256_GCM,") ? "ENC" : v;
  };
  if (name.includes(".env"))
    return text
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("sops_"))
      .map((l) => l.replace(/=ENC\[AES256_GCM,.*$/, "=ENC"));
  return strip(parse(text));
}

interface Meta {
  readonly recipients: string[];
  readonly rule: Record<string, unknown>;
}

/** The recipients and the crypt rule a sealed file's metadata names. */
function meta(text: string, name: string): Meta {
  if (name.includes(".env")) {
    const lines = text.split("\n").filter((l) => l.startsWith("sops_"));
    const recipients = lines.filter((l) => /^sops_age__list_\d+__map_recipient=/.test(l)).map((l) => l.split("=")[1]!);
    const rule = Object.fromEntries(
      lines.filter((l) => /^sops_(un)?encrypted_(suffix|regex)=/.test(l)).map((l) => [l.split("=")[0]!.slice(5), l.slice(l.indexOf("=") + 1)]),
    );
    return { recipients: recipients.sort(), rule };
  }
  const sops = (parse(text) as { sops: Record<string, unknown> & { age?: { recipient: string }[] } }).sops;
  const rule = Object.fromEntries(Object.entries(sops).filter(([k]) => /^(un)?encrypted_(suffix|regex)$|^mac_only_encrypted$/.test(k)));
  return { recipients: (sops.age ?? []).map((a) => a.recipient).sort(), rule };
}

const sealedName = (rel: string) => (rel.startsWith(".env") ? `${rel}.enc` : rel.replace(/\.(yaml|json)$/, ".enc.$1"));

peerSuite("a .sops.yaml project, kmseal against sops", ["sops", "age-keygen"], (bin) => {
  after(removeTempDirs);
  const peerEnv = env(undefined);

  async function keygen(dir: string, name: string): Promise<Key> {
    const file = join(dir, name);
    const r = await runCommand(bin["age-keygen"], ["-o", file], { env: peerEnv, cwd: dir });
    assert.equal(r.code, 0, describeResult("age-keygen", r));
    const pub = await runCommand(bin["age-keygen"], ["-y", file], { env: peerEnv, cwd: dir });
    return { file, recipient: pub.stdout.toString().trim() };
  }

  /** A project folder with the .sops.yaml and the plaintext files. */
  function project(sopsYaml: string): string {
    const dir = makeTempDir("sopsyaml");
    writeFileSync(join(dir, ".sops.yaml"), sopsYaml);
    for (const [rel, text] of Object.entries(PLAIN)) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return dir;
  }

  async function setup() {
    const keys = makeTempDir("keys");
    const team = await keygen(keys, "team.txt");
    const ops = await keygen(keys, "ops.txt");
    const sopsYaml = [
      "# secrets/ holds credentials: only the named keys are encrypted",
      "creation_rules:",
      "  - path_regex: ^secrets/.*\\.(yaml|json)$",
      "    encrypted_regex: ^(password|token)$",
      `    age: ${team.recipient}`,
      "  # everything else: every value, for the team and ops",
      `  - age: ${team.recipient},${ops.recipient}`,
      "",
    ].join("\n");
    return { team, ops, sopsYaml };
  }

  /** sops takes only `*.env` as dotenv; kmseal takes `.env.prod` too, so sops is told the type. */
  const typeFlags = (rel: string) => (rel.includes(".env") ? ["--input-type", "dotenv", "--output-type", "dotenv"] : []);

  async function sopsEncrypt(dir: string, rel: string): Promise<string> {
    const r = await runCommand(bin.sops, ["encrypt", ...typeFlags(rel), rel], { env: peerEnv, cwd: dir });
    assert.equal(r.code, 0, describeResult(`sops encrypt ${rel}`, r));
    return r.stdout.toString();
  }

  it("seals every file as sops does (same recipients, same encrypted and plain values), and sops decrypts it", async () => {
    const { team, ops, sopsYaml } = await setup();
    const dir = project(sopsYaml);
    const files = Object.keys(PLAIN);
    const enc = await kmseal(["encrypt", ...files], { env: { ...peerEnv, KMSEAL_AGE_KEY_FILE: "" }, cwd: dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    assert.doesNotMatch(enc.stderr, /created an age identity/);
    for (const rel of files) {
      const ours = readFileSync(join(dir, sealedName(rel)), "utf8");
      const theirs = await sopsEncrypt(dir, rel);
      assert.deepEqual(meta(ours, rel), meta(theirs, rel), `${rel}: recipients and crypt rule`);
      assert.deepEqual(shape(ours, rel), shape(theirs, rel), `${rel}: which values are encrypted`);
      const key = rel.startsWith("secrets/") ? team : ops;
      const dec = await runCommand(bin.sops, ["decrypt", ...typeFlags(rel), sealedName(rel)], { env: { ...peerEnv, SOPS_AGE_KEY_FILE: key.file }, cwd: dir });
      assert.equal(dec.code, 0, describeResult(`sops decrypt ${sealedName(rel)}`, dec));
      if (rel.endsWith(".json")) assert.deepEqual(JSON.parse(dec.stdout.toString()), JSON.parse(PLAIN[rel]!));
      else if (rel.endsWith(".yaml")) assert.deepEqual(parse(dec.stdout.toString()), parse(PLAIN[rel]!));
      else assert.equal(dec.stdout.toString(), PLAIN[rel]);
    }
    // The rule of secrets/ leaves the ops key out, as sops does.
    const onlyTeam = await runCommand(bin.sops, ["decrypt", "secrets/db.enc.yaml"], { env: { ...peerEnv, SOPS_AGE_KEY_FILE: ops.file }, cwd: dir });
    assert.notEqual(onlyTeam.code, 0);
  });

  it("init --from-sops writes a .kmsrc that seals every file the same way", async () => {
    const { sopsYaml } = await setup();
    const viaYaml = project(sopsYaml);
    const viaKmsrc = project(sopsYaml);
    const init = await kmseal(["init", "--from-sops"], { env: peerEnv, cwd: viaKmsrc });
    assert.equal(init.code, 0, describeResult("kmseal init --from-sops", init));
    assert.match(init.stderr, /everything was carried over/);
    const files = Object.keys(PLAIN);
    for (const dir of [viaYaml, viaKmsrc]) {
      const r = await kmseal(["encrypt", ...files], { env: peerEnv, cwd: dir });
      assert.equal(r.code, 0, describeResult("kmseal encrypt", r));
    }
    const status = await kmseal(["status", "--json", ...files.map(sealedName)], { env: peerEnv, cwd: viaKmsrc });
    assert.deepEqual(
      (JSON.parse(status.stdout.toString()) as { config: { kind: string } }[]).map((s) => s.config.kind),
      files.map(() => "kmsrc"),
    );
    for (const rel of files) {
      const a = readFileSync(join(viaYaml, sealedName(rel)), "utf8");
      const b = readFileSync(join(viaKmsrc, sealedName(rel)), "utf8");
      assert.deepEqual([meta(b, rel), shape(b, rel)], [meta(a, rel), shape(a, rel)], rel);
    }
  });

  it("filestatus prints what sops filestatus prints, with the same exit status", async () => {
    const { sopsYaml } = await setup();
    const dir = project(sopsYaml);
    writeFileSync(join(dir, "secrets/by-sops.enc.yaml"), await sopsEncrypt(dir, "secrets/db.yaml"));
    writeFileSync(join(dir, ".env.sops.enc"), await sopsEncrypt(dir, ".env.prod"));
    assert.equal((await kmseal(["encrypt", "app/config.yaml", "secrets/api.json"], { env: peerEnv, cwd: dir })).code, 0);
    for (const [rel, type] of [
      ["secrets/by-sops.enc.yaml", undefined],
      ["app/config.enc.yaml", undefined],
      ["secrets/api.enc.json", undefined],
      ["app/config.yaml", undefined],
      ["secrets/api.json", undefined],
      [".env.sops.enc", "dotenv"],
      [".env.prod", "dotenv"],
    ] as const) {
      const flags = type === undefined ? [] : ["--input-type", type];
      const theirs = await runCommand(bin.sops, ["filestatus", ...flags, rel], { env: peerEnv, cwd: dir });
      const ours = await kmseal(["filestatus", ...flags, rel], { env: peerEnv, cwd: dir });
      assert.equal(ours.stdout.toString(), theirs.stdout.toString(), rel);
      assert.equal(ours.code, theirs.code, rel);
    }
  });

  it("decrypt --extract prints a string, number or boolean byte for byte as sops decrypt --extract does", async () => {
    const { team, ops, sopsYaml } = await setup();
    const dir = project(sopsYaml);
    // Sealed by sops, read by both: the same plaintext, so the outputs must agree byte for byte.
    writeFileSync(join(dir, "secrets/db.enc.yaml"), await sopsEncrypt(dir, "secrets/db.yaml"));
    writeFileSync(join(dir, "secrets/api.enc.json"), await sopsEncrypt(dir, "secrets/api.json"));
    writeFileSync(join(dir, "app/config.enc.yaml"), await sopsEncrypt(dir, "app/config.yaml"));
    writeFileSync(join(dir, ".env.prod.enc"), await sopsEncrypt(dir, ".env.prod"));
    const cases: [string, string, Key][] = [
      ["secrets/db.enc.yaml", '["password"]', team],
      ["secrets/db.enc.yaml", '["replicas"][1]["token"]', team],
      ["secrets/db.enc.yaml", '["replicas"][0]["host"]', team],
      ["secrets/db.enc.yaml", '["port"]', team],
      ["secrets/api.enc.json", '["nested"]["password"]', team],
      ["secrets/api.enc.json", "['n']", team],
      ["app/config.enc.yaml", '["feature"]["enabled"]', ops],
      ["app/config.enc.yaml", '["feature"]["ratio"]', ops],
      [".env.prod.enc", '["DB_PASSWORD"]', ops],
    ];
    for (const [rel, path, key] of cases) {
      const withKey = { ...peerEnv, SOPS_AGE_KEY_FILE: key.file, KMSEAL_AGE_KEY_FILE: key.file };
      const type = typeFlags(rel);
      const theirs = await runCommand(bin.sops, ["decrypt", ...type, "--extract", path, rel], { env: withKey, cwd: dir });
      assert.equal(theirs.code, 0, describeResult(`sops decrypt --extract ${path} ${rel}`, theirs));
      const ours = await kmseal(["decrypt", ...type, "--extract", path, rel], { env: withKey, cwd: dir });
      assert.equal(ours.code, 0, describeResult(`kmseal decrypt --extract ${path} ${rel}`, ours));
      assert.ok(ours.stdout.equals(theirs.stdout), `${rel} ${path}: ${JSON.stringify(ours.stdout.toString())} vs ${JSON.stringify(theirs.stdout.toString())}`);
    }
  });

  it("reads stdin with --input-type and takes --age as a comma list, and sops decrypts the result", async () => {
    const { team, ops } = await setup();
    const dir = makeTempDir("stdin");
    cpSync(team.file, join(dir, "team.txt"));
    const sealed = await kmseal(["encrypt", "-", "--input-type", "json", "--output-type", "json", "--age", `${team.recipient},${ops.recipient}`], {
      env: peerEnv,
      cwd: dir,
      input: PLAIN["secrets/api.json"]!,
    });
    assert.equal(sealed.code, 0, describeResult("kmseal encrypt -", sealed));
    assert.deepEqual(meta(sealed.stdout.toString(), "x.json").recipients, [team.recipient, ops.recipient].sort());
    for (const key of [team, ops]) {
      const dec = await runCommand(bin.sops, ["decrypt", "--input-type", "json", "--output-type", "json"], {
        env: { ...peerEnv, SOPS_AGE_KEY_FILE: key.file },
        cwd: dir,
        input: sealed.stdout,
      });
      assert.equal(dec.code, 0, describeResult("sops decrypt", dec));
      assert.deepEqual(JSON.parse(dec.stdout.toString()), JSON.parse(PLAIN["secrets/api.json"]!));
    }
    const back = await kmseal(["decrypt", "-", "--input-type", "json"], { env: { ...peerEnv, KMSEAL_AGE_KEY_FILE: ops.file }, cwd: dir, input: sealed.stdout });
    assert.equal(back.code, 0, describeResult("kmseal decrypt -", back));
    assert.deepEqual(JSON.parse(back.stdout.toString()), JSON.parse(PLAIN["secrets/api.json"]!));
  });
});
