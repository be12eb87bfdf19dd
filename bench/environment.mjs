/**
 * What the benchmark runs in: the built CLI, the peer binaries, the KMS emulator of the peer tests
 * (moto_server, started once on a free loopback port and stopped at the end), a clean environment
 * that both kmseal and sops get, and a description of the machine for the report.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const WORK = join(ROOT, "bench", "work");
const BUILT = join(ROOT, "dist", "kmseal.cjs");
/**
 * The CLI the scenarios run: a copy of the package bin and its scripts taken right after the build, so
 * a rebuild of dist/ by someone else during a long run cannot change or break what is measured.
 */
export const KMSEAL = join(WORK, "cli", "kmseal.cjs");
const HARNESS = join(ROOT, "build", "test", "peers", "harness");

/** The throw-away age identity of the tests (test/helpers/keys.ts): never used for real secrets. */
export const AGE_IDENTITY = "AGE-SECRET-KEY-1NFPMTTQ5JFTXGDEF2ZRP7EKPL3XN3KWSK2CTYLNRMCS98H29KCVSAA89EP";
export const AGE_RECIPIENT = "age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status})`);
}

/**
 * Builds the bundle (always, unless told not to: the numbers must describe the current source) and
 * the peer harness when missing, then starts bench/work/ afresh with a snapshot of the bundle.
 */
export function build({ skip }) {
  if (!skip) run("npm", ["run", "--silent", "build"]);
  if (!existsSync(BUILT)) throw new Error(`${BUILT} does not exist: run npm run build`);
  if (!existsSync(join(HARNESS, "moto.js"))) run("npx", ["tsc", "-p", "tsconfig.test.json"]);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, "cli"), { recursive: true });
  cpSync(BUILT, KMSEAL);
  if (existsSync(join(ROOT, "dist", "chunks"))) cpSync(join(ROOT, "dist", "chunks"), join(WORK, "cli", "chunks"), { recursive: true });
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A peer from .peers/bin (the pinned versions) or PATH, or undefined. */
export function findPeer(name) {
  const dirs = [process.env["KMSEAL_PEERS_BIN"] ?? join(ROOT, ".peers", "bin"), ...(process.env["PATH"] ?? "").split(delimiter).filter(Boolean)];
  for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}

export function peerVersion(path) {
  try {
    return execFileSync(path, ["--version", "--disable-version-check"], {
      encoding: "utf8",
      env: { ...process.env, SOPS_DISABLE_VERSION_CHECK: "1" },
      stdio: ["ignore", "pipe", "ignore"],
    })
      .split("\n")[0]
      .trim();
  } catch {
    return "unknown version";
  }
}

/**
 * The moto emulator from the peer harness, with its request recorder reachable for counting KMS
 * calls. `stop` ends its process group and returns the groups that outlived it (should be none).
 */
export async function startEmulator(motoBin) {
  const { startMoto } = await import(join(HARNESS, "moto.js"));
  const { createKey } = await import(join(HARNESS, "kms-keys.js"));
  const { stopAllServers, survivingGroups } = await import(join(HARNESS, "server-process.js"));
  const server = await startMoto(motoBin);
  const post = async (path) => {
    const res = await fetch(`${server.url}/moto-api/recorder/${path}`, { method: "POST" });
    const text = await res.text();
    if (!res.ok) throw new Error(`moto recorder ${path}: HTTP ${res.status}`);
    return text;
  };
  const key = await createKey(server, "bench");
  await post("stop-recording");
  return {
    url: server.url,
    key,
    /** Starts counting requests from zero. */
    async record() {
      await post("reset-recording");
      await post("start-recording");
    },
    /** Stops counting; returns the requests seen since record(): KMS operations by name, STS as `sts:Action`. */
    async recorded() {
      const text = await post("download-recording");
      await post("stop-recording");
      const counts = {};
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const raw = JSON.parse(line);
        const header = (name) => Object.entries(raw.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
        const target = header("x-amz-target");
        let op;
        if (typeof target === "string" && target.startsWith("TrentService.")) op = target.slice("TrentService.".length);
        else if (String(header("content-type") ?? "").includes("x-www-form-urlencoded")) {
          const body = raw.body === null ? "" : raw.body_encoded ? Buffer.from(raw.body, "base64").toString("utf8") : raw.body;
          op = `sts:${new URLSearchParams(body).get("Action") ?? "?"}`;
        }
        if (op !== undefined) counts[op] = (counts[op] ?? 0) + 1;
      }
      return counts;
    },
    async stop() {
      await stopAllServers();
      return survivingGroups([server.pgid]);
    },
  };
}

/** The environment every measured command runs with (the peer tests' clean environment, plus the age key file). */
export async function benchEnv(emulatorUrl, ageKeyFile) {
  const { env } = await import(join(HARNESS, "peer-env.js"));
  return env(emulatorUrl === undefined ? undefined : { url: emulatorUrl }, { SOPS_AGE_KEY_FILE: ageKeyFile });
}

export function removeHarnessTempDirs() {
  return import(join(HARNESS, "temp-dirs.js")).then((m) => m.removeTempDirs());
}

function cpuModel() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? "unknown CPU";
}

export function machine() {
  return {
    cpu: cpuModel(),
    nproc: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}
