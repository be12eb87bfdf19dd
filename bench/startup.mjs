#!/usr/bin/env node
/**
 * Start-up of the commands people type most, as whole processes on one small age-encrypted dotenv
 * file: each command line and `node -e 0` run interleaved, so load from elsewhere hits them alike.
 *
 *   node bench/startup.mjs [DIST...] [--runs N]     DIST: a build to measure (default: dist)
 *
 * Several builds (e.g. main's and this branch's) run interleaved too. Prints the median wall time of
 * each line, its median minus the `node -e 0` floor, and its ratio to the first build's `decrypt`.
 * Each build runs through its package bin (dist/kmseal.cjs) where it has one; `decrypt, ESM` is the
 * same decrypt through dist/kmseal.js.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const IDENTITY = "AGE-SECRET-KEY-1NFPMTTQ5JFTXGDEF2ZRP7EKPL3XN3KWSK2CTYLNRMCS98H29KCVSAA89EP";
const RECIPIENT = "age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
const named = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs");
const dists = (named.length > 0 ? named : ["dist"]).map((d) => resolve(d));
const bin = join(dists[0], "kmseal.js");

const dir = mkdtempSync(join(tmpdir(), "kmseal-startup-"));
const env = { PATH: process.env.PATH, HOME: dir, KMSEAL_AGE_KEY: IDENTITY };
writeFileSync(join(dir, ".kmsrc"), "rules: []\n");
writeFileSync(join(dir, "f.env"), "A=1\nB=two\n");
const sealed = spawnSync(process.execPath, [bin, "encrypt", "-q", "--age", RECIPIENT, "f.env"], { cwd: dir, env, encoding: "utf8" });
if (sealed.status !== 0) throw new Error(`encrypt failed: ${sealed.stderr}`);

const COMMANDS = {
  decrypt: ["decrypt", "--stdout", "f.env.enc"],
  status: ["status", "f.env.enc"],
  get: ["get", "f.env.enc", "A"],
  set: ["set", "f.env.enc", "A", "1"],
  exec: ["exec", "f.env.enc", "--", "true"],
  "--help": ["--help"],
};
const LINES = { "node -e 0": ["-e", "0"] };
dists.forEach((d, i) => {
  // What `kmseal` runs once installed: the package's bin (dist/kmseal.cjs, a classic script) where
  // the build has one, else dist/kmseal.js (older builds' only entry). `decrypt, ESM` is the same
  // decrypt through dist/kmseal.js, which pays Node's ESM loader on top.
  const cjs = join(d, "kmseal.cjs");
  const entry = existsSync(cjs) ? cjs : join(d, "kmseal.js");
  for (const [name, argv] of Object.entries(COMMANDS)) LINES[`${dists.length > 1 ? `[${i + 1}] ` : ""}${name}`] = [entry, ...argv];
  if (entry === cjs) LINES[`${dists.length > 1 ? `[${i + 1}] ` : ""}decrypt, ESM`] = [join(d, "kmseal.js"), ...COMMANDS.decrypt];
});

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
const decrypt = median(times[dists.length > 1 ? "[1] decrypt" : "decrypt"]);
dists.forEach((d, i) => console.log(`${dists.length > 1 ? `[${i + 1}] ` : ""}${d}`));
console.log(
  `median of ${runs} runs (ms), ${process.version}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(14)} ${m.toFixed(1).padStart(7)}  floor+${(m - floor).toFixed(1).padStart(6)}  x${(m / decrypt).toFixed(2)} of ${dists.length > 1 ? "[1] " : ""}decrypt`,
  );
}
