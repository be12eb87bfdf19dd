/**
 * Whole-process timing. Each run is one process (or one shell loop) started from here: wall time by
 * the monotonic clock around the spawn, peak RSS from `/usr/bin/time -f %M` when it exists (the OS's
 * own accounting of the child; the largest child for a loop). The variants of a scenario (the B0
 * floor, kmseal, sops) are interleaved run by run, so a burst of load from elsewhere hits all of them.
 *
 * Runs are spawned asynchronously: the emulator's log pipes are drained by this process's event
 * loop, and a blocked loop (spawnSync) lets them fill until the emulator stops answering.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const TIME = "/usr/bin/time";
const HAS_TIME = existsSync(TIME);

function spawnTimed(argv, { cwd, env, capture, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"] });
    const out = [];
    const err = [];
    child.stdout?.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    // A hung run (an emulator that stopped answering) fails the scenario instead of the whole bench.
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, status, signal, stderr: Buffer.concat(err), stdout: capture ? Buffer.concat(out) : null });
    });
  });
}

/** Runs a command once: { ms, rssKiB (or undefined), status, stderr, stdout (when captured) }. */
export async function runOnce(cmd, { cwd, env, capture = false, rssFile, timeoutMs = 120_000 }) {
  const [bin, ...args] = cmd;
  const argv = HAS_TIME ? [TIME, "-f", "%M", "-o", rssFile, bin, ...args] : [bin, ...args];
  const r = await spawnTimed(argv, { cwd, env, capture, timeoutMs });
  const ms = r.ms;
  let rssKiB;
  if (HAS_TIME) {
    try {
      const lines = readFileSync(rssFile, "utf8").trim().split("\n");
      rssKiB = Number(lines[lines.length - 1]);
      rmSync(rssFile, { force: true });
    } catch {
      rssKiB = undefined;
    }
  }
  const stderr = (r.stderr?.toString("utf8") ?? "") + (r.signal ? `\n(killed by ${r.signal} after ${Math.round(ms)} ms)` : "");
  return { ms, rssKiB, status: r.status, stderr, stdout: r.stdout ?? null };
}

export function stats(samples) {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/**
 * Measures the variants of one scenario: `warmup` unmeasured rounds, then `runs` measured rounds,
 * each round running every variant once (rotating the order). A variant is
 * { name, cmd, cwd, env, before?() }. A failing run stops the variant with its stderr as the error.
 */
export async function measure(variants, { runs, warmup, workDir }) {
  const rssFile = join(workDir, `.rss-${process.pid}`);
  const results = Object.fromEntries(variants.map((v) => [v.name, { wall: [], rss: [], error: undefined }]));
  for (let round = 0; round < warmup + runs; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) {
      const res = results[v.name];
      if (res.error !== undefined) continue;
      v.before?.();
      const r = await runOnce(v.cmd, { cwd: v.cwd, env: v.env, rssFile, timeoutMs: v.timeoutMs });
      if (r.status !== 0) {
        res.error = `exit ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" / ").slice(0, 300)}`;
        continue;
      }
      if (round < warmup) continue;
      res.wall.push(r.ms);
      if (r.rssKiB !== undefined) res.rss.push(r.rssKiB);
    }
  }
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { wall: stats(r.wall), rssKiB: stats(r.rss), error: r.error }]));
}

export const hasRss = HAS_TIME;
