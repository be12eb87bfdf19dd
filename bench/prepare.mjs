/**
 * Untimed set-up: plaintext inputs, their encrypted copies (age, and KMS against the emulator), the
 * two 200-file git repositories, and a cached MFA session for the warm-session scenario. Everything
 * lives in bench/work/ (git-ignored) and is rebuilt on every run, since the emulator's keys are new.
 */
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AGE_IDENTITY, AGE_RECIPIENT, KMSEAL, ROOT, WORK } from "./environment.mjs";
import { dotenv, writeRepoPlaintext, writeSingleInputs } from "./inputs.mjs";

/** Asynchronous, like every command here: the emulator's log pipes drain only while the event loop runs. */
function sh(cmd, args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 512 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed: ${err.code ?? err.signal}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const kmseal = (args, opts) => sh(process.execPath, [KMSEAL, ...args], opts);

function gitEnv(env) {
  return {
    ...env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
  };
}

/** A 200-file repository whose covered files are sealed by kmseal with the rule's key, then staged. */
async function makeRepo(dir, keyLine, env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".kmsrc"), `rules:\n  - path: "config/**"\n    ${keyLine}\n`);
  writeFileSync(join(dir, ".gitignore"), "config/**/*.yaml\nconfig/**/*.json\nconfig/**/*.env\n!config/**/*.enc.yaml\n!config/**/*.enc.json\n");
  const plain = writeRepoPlaintext(dir);
  const genv = gitEnv(env);
  await sh("git", ["init", "-q", "-b", "main"], { cwd: dir, env: genv });
  await kmseal(["encrypt", "--all", "-q"], { cwd: dir, env });
  await sh("git", ["add", "-A"], { cwd: dir, env: genv });
  const staged = (await sh("git", ["diff", "--cached", "--name-only"], { cwd: dir, env: genv })).trim().split("\n");
  if (staged.length !== plain.length + 2) throw new Error(`${dir}: expected ${plain.length + 2} staged files, git staged ${staged.length}`);
  return { dir, plain, encrypted: staged.filter((f) => f.startsWith("config/")) };
}

/**
 * The everyday pre-commit: the 200 files are committed, then one of them changes and is staged.
 * `check --staged` looks at what the commit changes, so this is what a developer waits for.
 */
async function oneChangeRepo(repo, dir, env) {
  cpSync(repo.dir, dir, { recursive: true });
  const genv = gitEnv(env);
  await sh("git", ["commit", "-q", "-m", "200 sealed files"], { cwd: dir, env: genv });
  const plain = repo.plain.find((p) => p.endsWith(".yaml")).replace(repo.dir, dir);
  appendFileSync(plain, "added_later: a new value\n");
  await kmseal(["encrypt", "-q", plain], { cwd: dir, env });
  await sh("git", ["add", "-A"], { cwd: dir, env: genv });
  const staged = (await sh("git", ["diff", "--cached", "--name-only"], { cwd: dir, env: genv })).trim().split("\n");
  if (staged.length !== 1) throw new Error(`${dir}: expected 1 staged file, git staged ${staged.length}`);
  return { dir };
}

/**
 * A repository holding 20 versions of a 500-value age-encrypted YAML (one commit each, each changing
 * one value with `kmseal set`) and kmseal's diff driver attributes, for `git log -p`.
 */
async function historyRepo(dir, plainSource, env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
  cpSync(plainSource, join(dir, "values.yaml"));
  const genv = gitEnv(env);
  await sh("git", ["init", "-q", "-b", "main"], { cwd: dir, env: genv });
  await kmseal(["encrypt", "-q", "--age", AGE_RECIPIENT, "values.yaml"], { cwd: dir, env });
  rmSync(join(dir, "values.yaml"));
  await kmseal(["diff-driver", "install", "-q"], { cwd: dir, env: genv });
  await sh("git", ["add", "-A"], { cwd: dir, env: genv });
  await sh("git", ["commit", "-q", "-m", "version 1"], { cwd: dir, env: genv });
  const versions = 20;
  for (let v = 2; v <= versions; v++) {
    const key = `service_0000.key_${String(v).padStart(3, "0")}`;
    await kmseal(["set", "-q", "values.enc.yaml", key, `changed-in-version-${v}`], { cwd: dir, env });
    await sh("git", ["commit", "-q", "-a", "-m", `version ${v}`], { cwd: dir, env: genv });
  }
  return { dir, versions, marker: `changed-in-version-${versions}`, gitEnv: { ...genv, GIT_PAGER: "cat" } };
}

/** Writes a fresh MFA session into kmseal's cache, exactly as `kmseal login` would have. */
async function warmSession(env) {
  const profile = "bench-mfa";
  const mfaSerial = "arn:aws:iam::123456789012:mfa/bench";
  mkdirSync(join(env.HOME, ".aws"), { recursive: true });
  writeFileSync(env.AWS_CONFIG_FILE, `[profile ${profile}]\nregion = us-east-1\nmfa_serial = ${mfaSerial}\n`);
  const { SessionCache, defaultCacheDir } = await import(join(ROOT, "dist", "credentials", "session-cache.js"));
  const cache = new SessionCache({ dir: defaultCacheDir(env) });
  cache.write({
    kind: "session",
    profile,
    mfaSerial,
    accessKeyId: "ASIABENCHSESSION0000",
    secretAccessKey: "bench-session-secret-not-real",
    sessionToken: "bench-session-token-not-real",
    expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
    createdAt: new Date().toISOString(),
  });
  // The session is the only identity: no long-term keys in the environment.
  const warm = { ...env, AWS_PROFILE: profile };
  delete warm.AWS_ACCESS_KEY_ID;
  delete warm.AWS_SECRET_ACCESS_KEY;
  delete warm.CI;
  return warm;
}

/**
 * Builds every input. `emulator` may be undefined (no moto): the KMS inputs are then skipped.
 * Returns the paths and environments the scenarios use.
 */
export async function prepare(env, emulator) {
  writeFileSync(env.SOPS_AGE_KEY_FILE, `# bench identity (test-only)\n${AGE_IDENTITY}\n`, { mode: 0o600 });

  const single = join(WORK, "single");
  const inputs = writeSingleInputs(WORK);
  writeFileSync(join(single, ".kmsrc"), "rules: []\n");
  const sealedAge = {};
  for (const [name, path] of Object.entries(inputs)) {
    // --force: the inputs were just generated again, and the project's git folder remembers the last run's copies.
    sealedAge[name] = (await kmseal(["encrypt", "-q", "--force", "--age", AGE_RECIPIENT, path], { cwd: single, env })).trim();
  }
  // Each `set` variant writes a file of its own, sealed once here and restored from `.orig` before every run.
  const setFiles = {};
  for (const variant of ["kmseal", "sops"]) {
    const path = join(single, `set-${variant}.enc.yaml`);
    await kmseal(["encrypt", "-q", "--force", "--age", AGE_RECIPIENT, "-o", path, inputs.yaml20k], { cwd: single, env });
    cpSync(path, `${path}.orig`);
    setFiles[variant] = path;
  }
  const repoAge = await makeRepo(join(WORK, "repo-age"), `age: [${AGE_RECIPIENT}]`, env);
  const out = {
    inputs,
    sealedAge,
    setFiles,
    single,
    repoAge,
    repoOneChange: await oneChangeRepo(repoAge, join(WORK, "repo-one-change"), env),
    history: await historyRepo(join(WORK, "history"), inputs.yaml500, env),
  };
  if (emulator !== undefined) {
    const kmsDir = join(WORK, "kms");
    mkdirSync(kmsDir, { recursive: true });
    writeFileSync(join(kmsDir, ".kmsrc"), "rules: []\n");
    const envPlain = join(kmsDir, ".env.bench");
    writeFileSync(envPlain, dotenv(1, 30));
    out.envKms = (await kmseal(["encrypt", "-q", "--force", "--kms", emulator.key.arn, envPlain], { cwd: kmsDir, env })).trim();
    out.kmsDir = kmsDir;
    out.envKmsPlain = envPlain;
    out.repoKms = await makeRepo(join(WORK, "repo-kms"), `kms: [${emulator.key.arn}]`, env);
    out.warmEnv = await warmSession(env);
  }
  return out;
}
