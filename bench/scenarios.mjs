/**
 * The scenarios of issue 8, each with its kmseal command, the same operation with sops when there is
 * one, the target it is held to, and the KMS/STS requests one run is expected to make.
 *
 * Targets: { b0: x } kmseal median ≤ x × B0; { ms: n } ≤ n ms; { fasterThanSops: true };
 * the cross-scenario targets (linear scaling, `--all` against separate runs) are in report.mjs.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AGE_RECIPIENT, KMSEAL, WORK } from "./environment.mjs";

const node = process.execPath;
const LOOP_TIMEOUT = 15 * 60_000;
const k = (...args) => [node, KMSEAL, ...args];
const sopsTypes = (file) => (/\.env(\.bench)?\.enc$/.test(file) ? ["--input-type", "dotenv", "--output-type", "dotenv"] : []);

/** Removes the plaintext copies, so that every run of a decrypt scenario writes all of them. */
const removePlain = (repo) => () => {
  for (const rel of repo.plain) rmSync(rel, { force: true });
};

/** A shell loop that runs one process per file: the "200 separate runs" baselines. */
function loopScript(name, lines) {
  const path = join(WORK, `${name}.sh`);
  writeFileSync(path, `set -e\n${lines.join("\n")}\n`);
  return ["/bin/sh", path];
}

export function scenarios(p, { sops, env, quick }) {
  const list = [];
  const add = (s) => list.push(s);
  const single = { cwd: p.single, env };

  add({
    id: "check-staged",
    title: "`check --staged`, 200 staged files (age)",
    kmseal: { cmd: k("check", "--staged", "-q"), cwd: p.repoAge.dir, env },
    target: { b0: 1.5 },
    requests: {},
  });
  add({
    id: "check-staged-1",
    title: "`check --staged`, 1 changed file in a 200-file repo (a typical commit)",
    kmseal: { cmd: k("check", "--staged", "-q"), cwd: p.repoOneChange.dir, env },
    requests: {},
  });
  if (p.repoKms)
    add({
      id: "check-staged-kms",
      title: "`check --staged`, 200 staged files (KMS)",
      kmseal: { cmd: k("check", "--staged", "-q"), cwd: p.repoKms.dir, env },
      target: { b0: 1.5 },
      requests: {},
    });

  add({
    id: "env-age",
    title: "`decrypt --stdout` 30-key .env, age",
    kmseal: { cmd: k("decrypt", "--stdout", p.sealedAge.env), ...single },
    expect: p.inputs.env,
    sops: sops && { cmd: [sops, "decrypt", ...sopsTypes(p.sealedAge.env), p.sealedAge.env], ...single },
    target: { b0: 2 },
    requests: {},
  });
  if (p.envKms) {
    const kms = { cwd: p.kmsDir, env };
    add({
      id: "env-kms",
      title: "`decrypt --stdout` 30-key .env, KMS",
      kmseal: { cmd: k("decrypt", "--stdout", p.envKms), ...kms },
      expect: p.envKmsPlain,
      sops: sops && { cmd: [sops, "decrypt", ...sopsTypes(p.envKms), p.envKms], ...kms },
      target: { b0: 2.5 },
      requests: { Decrypt: 1 },
    });
    add({
      id: "env-kms-warm",
      title: "`decrypt --stdout` .env, KMS, cached MFA session",
      kmseal: { cmd: k("decrypt", "--stdout", p.envKms), cwd: p.kmsDir, env: p.warmEnv },
      expect: p.envKmsPlain,
      target: { b0: 2.5 },
      requests: { Decrypt: 1, "sts:*": 0 },
    });
  }

  const sizes = [
    ["yaml500", "500-value YAML", undefined],
    ["yaml10k", "10,000-value YAML (~1 MB)", { ms: 1000, fasterThanSops: true }],
    ["json100k", "100,000-value JSON", undefined],
  ];
  for (const [name, label, target] of sizes) {
    if (p.sealedAge[name] === undefined) continue;
    const plain = p.inputs[name];
    const sealed = p.sealedAge[name];
    add({
      id: `encrypt-${name}`,
      title: `encrypt ${label}, age`,
      kmseal: { cmd: k("encrypt", "--stdout", "--age", AGE_RECIPIENT, plain), ...single },
      sops: sops && { cmd: [sops, "encrypt", "--age", AGE_RECIPIENT, plain], ...single },
      target,
      requests: {},
      big: name === "json100k",
    });
    add({
      id: `decrypt-${name}`,
      title: `decrypt ${label}, age`,
      kmseal: { cmd: k("decrypt", "--stdout", sealed), ...single },
      expect: plain,
      sops: sops && { cmd: [sops, "decrypt", sealed], ...single },
      target,
      requests: {},
      big: name === "json100k",
    });
  }

  if (p.repoKms) {
    const repo = p.repoKms;
    const before = removePlain(repo);
    const files = repo.encrypted;
    add({
      id: "decrypt-all",
      title: "`decrypt --all`, 200 files, KMS",
      kmseal: { cmd: k("decrypt", "--all", "-q"), cwd: repo.dir, env, before },
      requests: { Decrypt: files.length },
    });
    add({
      id: "decrypt-200-runs",
      title: "200 × `kmseal decrypt`, KMS (one process per file)",
      kmseal: {
        cmd: loopScript(
          "kmseal-200",
          files.map((f) => `"${node}" "${KMSEAL}" decrypt -q "${f}" >/dev/null`),
        ),
        cwd: repo.dir,
        env,
        before,
        timeoutMs: LOOP_TIMEOUT,
      },
      sops: sops && {
        cmd: loopScript(
          "sops-200",
          files.map((f) => `"${sops}" decrypt ${sopsTypes(f).join(" ")} --output "${f.replace(/\.enc(\.(yaml|json))?$/, "$1")}" "${f}"`),
        ),
        cwd: repo.dir,
        env,
        before,
        timeoutMs: LOOP_TIMEOUT,
      },
      requests: { Decrypt: files.length },
      loop: true,
      processes: files.length,
    });
  }
  return quick ? list.filter((s) => !s.loop) : list;
}
