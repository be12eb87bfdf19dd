#!/usr/bin/env node
/**
 * Start-up of the commands people type most, as whole processes on one small age-encrypted dotenv
 * file: each command line and `node -e 0` run interleaved, so load from elsewhere hits them alike.
 *
 *   node bench/startup.mjs [DIST] [--runs N]     DIST: the build to measure (default: dist)
 *
 * Prints the median wall time of each line, its median minus the `node -e 0` floor, and its ratio to
 * `decrypt` on the same file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const IDENTITY = "AGE-SECRET-KEY-1NFPMTTQ5JFTXGDEF2ZRP7EKPL3XN3KWSK2CTYLNRMCS98H29KCVSAA89EP";
const RECIPIENT = "age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
const dist = resolve(args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs") ?? "dist");
const bin = join(dist, "kmseal.js");

const dir = mkdtempSync(join(tmpdir(), "kmseal-startup-"));
const env = { PATH: process.env.PATH, HOME: dir, KMSEAL_AGE_KEY: IDENTITY };
writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
writeFileSync(join(dir, "f.env"), "A=1\nB=two\n");
const sealed = spawnSync(process.execPath, [bin, "encrypt", "-q", "--age", RECIPIENT, "f.env"], { cwd: dir, env, encoding: "utf8" });
if (sealed.status !== 0) throw new Error(`encrypt failed: ${sealed.stderr}`);

const LINES = {
  "node -e 0": ["-e", "0"],
  decrypt: [bin, "decrypt", "--stdout", "f.env.enc"],
  status: [bin, "status", "f.env.enc"],
  get: [bin, "get", "f.env.enc", "A"],
  set: [bin, "set", "f.env.enc", "A", "1"],
  exec: [bin, "exec", "f.env.enc", "--", "true"],
  "--help": [bin, "--help"],
};

const times = Object.fromEntries(Object.keys(LINES).map((k) => [k, []]));
for (let i = 0; i < runs + 1; i++) {
  for (const [name, argv] of Object.entries(LINES)) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    if (i > 0) times[name].push(ms);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const floor = median(times["node -e 0"]);
const decrypt = median(times.decrypt);
console.log(`${dist}: median of ${runs} runs (ms)`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(10)} ${m.toFixed(1).padStart(7)}  floor+${(m - floor).toFixed(1).padStart(6)}  x${(m / decrypt).toFixed(2)} of decrypt`);
}
