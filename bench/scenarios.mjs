/**
 * The scenarios of issue 14, each with its kmseal command, the same operation with sops when there
 * is one, the targets it is held to, and the KMS/STS requests one run is expected to make.
 *
 * Targets (kmseal's median unless said): { b0: x } ≤ x × B0; { sops: x } ≤ x × sops; { fasterThanSops }
 * < sops; { ms: n } ≤ n ms; { rssMiB: n } peak RSS ≤ n MiB; { rssAboveB0: bytes, rssLabel } peak RSS
 * minus B0's peak RSS (the Node floor) ≤ bytes. The cross-scenario target (`--all` against the
 * 200-run sops loop) is in report.mjs.
 */
import { copyFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AGE_RECIPIENT, KMSEAL, WORK } from "./environment.mjs";

const LOOP_TIMEOUT = 15 * 60_000;
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

/** A file a variant writes, put back as it was sealed before every run. */
const restored = (path) => ({ path, before: () => copyFileSync(`${path}.orig`, path) });

/** The key path of one value in the middle of a nestedValues() document, in kmseal's and sops's syntax. */
const MIDDLE_KEY = { kmseal: "service_0100.key_050", sops: '["service_0100"]["key_050"]' };

/** `node`: the Node binary kmseal runs on; B0 is `node -e 0` on the same binary. */
export function scenarios(p, { sops, env, node, tag }) {
  const k = (...args) => [node, KMSEAL, ...args];
  const list = [];
  const add = (s) => list.push(s);
  const single = { cwd: p.single, env };

  // The offline commands: no sops counterpart, and no request to any server.
  const local = (id, title, args, dir, b0) => add({ id, title, kmseal: { cmd: k(...args), cwd: dir, env }, target: { b0 }, requests: {} });
  local("check-staged", "`check --staged`, 200 staged files (age)", ["check", "--staged", "-q"], p.repoAge.dir, 1.5);
  local("check-staged-1", "`check --staged`, 1 changed file in a 200-file repo (a typical commit)", ["check", "--staged", "-q"], p.repoOneChange.dir, 1.2);
  if (p.repoKms) local("check-staged-kms", "`check --staged`, 200 staged files (KMS)", ["check", "--staged", "-q"], p.repoKms.dir, 1.5);
  local("status-200", "`status --all` of a 200-file repository", ["status", "--all", "-q"], p.repoAge.dir, 2);

  add({
    id: "env-age",
    title: "`decrypt --stdout` 30-key .env, age",
    kmseal: { cmd: k("decrypt", "--stdout", p.sealedAge.env), ...single },
    expect: p.inputs.env,
    sops: sops && { cmd: [sops, "decrypt", ...sopsTypes(p.sealedAge.env), p.sealedAge.env], ...single },
    target: { b0: 1.5 },
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
      target: { b0: 2 },
      requests: { Decrypt: 1 },
    });
    add({
      id: "env-kms-warm",
      title: "`decrypt --stdout` .env, KMS, cached MFA session",
      kmseal: { cmd: k("decrypt", "--stdout", p.envKms), cwd: p.kmsDir, env: p.warmEnv },
      expect: p.envKmsPlain,
      target: { b0: 2 },
      requests: { Decrypt: 1, "sts:*": 0 },
    });
  }

  const sizes = [
    ["yaml500", "500-value YAML", { fasterThanSops: true }],
    ["yaml10k", "10,000-value YAML (~1 MB)", { fasterThanSops: true }],
    ["yaml20k", "20,000-value YAML (~1.3 MB)", { sops: 0.5 }],
    ["json100k", "100,000-value JSON", { fasterThanSops: true, rssMiB: 300 }],
  ];
  for (const [name, label, target] of sizes) {
    const plain = p.inputs[name];
    const sealed = p.sealedAge[name];
    add({
      id: `encrypt-${name}`,
      title: `encrypt ${label}, age`,
      kmseal: { cmd: k("encrypt", "--stdout", "--age", AGE_RECIPIENT, plain), ...single },
      sops: sops && { cmd: [sops, "encrypt", "--age", AGE_RECIPIENT, plain], ...single },
      target,
      requests: {},
    });
    add({
      id: `decrypt-${name}`,
      title: `decrypt ${label}, age`,
      kmseal: { cmd: k("decrypt", "--stdout", sealed), ...single },
      expect: plain,
      sops: sops && { cmd: [sops, "decrypt", sealed], ...single },
      target,
      requests: {},
    });
  }
  {
    const sealed = p.sealedAge.yaml20k;
    add({
      id: "get-yaml20k",
      title: "`get` of one key, 20,000-value YAML, age",
      kmseal: { cmd: k("get", sealed, MIDDLE_KEY.kmseal), ...single },
      sops: sops && { cmd: [sops, "decrypt", "--extract", MIDDLE_KEY.sops, sealed], ...single },
      target: { sops: 0.5 },
      requests: {},
    });
    const mine = restored(p.setFiles.kmseal);
    const theirs = restored(p.setFiles.sops);
    add({
      id: "set-yaml20k",
      title: "`set` of one key, 20,000-value YAML, age",
      kmseal: { cmd: k("set", "-q", mine.path, MIDDLE_KEY.kmseal, "a-new-value"), ...single, before: mine.before },
      sops: sops && { cmd: [sops, "set", theirs.path, MIDDLE_KEY.sops, '"a-new-value"'], ...single, before: theirs.before },
      target: { sops: 0.5 },
      requests: {},
    });
  }

  const size = statSync(p.inputs.binary20m).size;
  const mib = (n) => `${Math.round(n / 2 ** 20)} MiB`;
  add({
    id: "encrypt-binary20m",
    title: `encrypt a ${mib(size)} binary file, age`,
    kmseal: { cmd: k("encrypt", "--stdout", "--age", AGE_RECIPIENT, p.inputs.binary20m), ...single },
    sops: sops && { cmd: [sops, "encrypt", "--age", AGE_RECIPIENT, p.inputs.binary20m], ...single },
    target: { ms: 1000, rssAboveB0: 3 * size, rssLabel: `RSS − B0's ≤ 3× ${mib(size)}` },
    requests: {},
  });
  add({
    id: "decrypt-binary20m",
    title: `decrypt a ${mib(size)} binary file, age`,
    kmseal: { cmd: k("decrypt", "--stdout", p.sealedAge.binary20m), ...single },
    expect: p.inputs.binary20m,
    sops: sops && { cmd: [sops, "decrypt", p.sealedAge.binary20m], ...single },
    target: { ms: 1000, rssAboveB0: 3 * size, rssLabel: `RSS − B0's ≤ 3× ${mib(size)}` },
    requests: {},
  });

  {
    const h = p.history;
    // The textconv command is given on git's command line, so each variant runs its own program on the same repository.
    const log = (textconv) => ["git", "-c", `diff.kmseal.textconv=${textconv}`, "log", "-p", "--no-color"];
    add({
      id: "git-log-p",
      title: `\`git log -p\`, ${h.versions} versions of a 500-value encrypted YAML, diff driver`,
      kmseal: { cmd: log(`"${node}" "${KMSEAL}" textconv`), cwd: h.dir, env: { ...env, ...h.gitEnv } },
      expectContains: h.marker,
      sops: sops && { cmd: log(`"${sops}" decrypt`), cwd: h.dir, env: { ...env, ...h.gitEnv } },
      target: { ms: 2000 },
      requests: {},
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
          `kmseal-200-${tag}`,
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
      target: { sops: 1.5 },
      requests: { Decrypt: files.length },
      loop: true,
      processes: files.length,
    });
  }
  return list;
}
