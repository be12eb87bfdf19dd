#!/usr/bin/env node
/**
 * Where one kmseal run's time goes: runs the command once under V8's sampling profiler
 * (`--cpu-prof`) and prints self time by script (kmseal's own, each vendor package, Node's
 * internals, GC) and the functions with the most self time.
 *
 *   node bench/profile.mjs [--node PATH] [--top N] [--cwd DIR] -- KMSEAL-ARGS...
 *
 * Environment variables pass through (point SOPS_AGE_KEY_FILE or the AWS settings at what the
 * command needs). The profile's samples are 0.1 ms apart, so the numbers are CPU time with some
 * sampling noise, not wall time.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../dist/kmseal.cjs", import.meta.url));
const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
if (dash < 0) {
  console.error("usage: node bench/profile.mjs [--node PATH] [--top N] [--cwd DIR] -- KMSEAL-ARGS...");
  process.exit(2);
}
const own = argv.slice(0, dash);
const opt = (name, fallback) => (own.includes(name) ? own[own.indexOf(name) + 1] : fallback);
const node = resolve(opt("--node", process.execPath));
const top = Number(opt("--top", "15"));
const cwd = resolve(opt("--cwd", "."));

const dir = mkdtempSync(join(tmpdir(), "kmseal-profile-"));
try {
  const run = spawnSync(node, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", BIN, ...argv.slice(dash + 1)], {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (run.status !== 0) console.error(`(the command exited ${run.status})`);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error("no profile was written");
  report(JSON.parse(readFileSync(join(dir, file), "utf8")));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Node's internals, GC, kmseal's scripts and each vendor script as one bucket apiece. */
function bucket(frame) {
  const { url, functionName } = frame;
  if (url === "")
    return functionName === "(garbage collector)" ? "GC" : functionName === "(program)" ? "V8 and Node (native)" : `(${functionName || "native"})`;
  if (url.startsWith("node:")) return "Node internals (JS)";
  return basename(url);
}

function report(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    self.set(n, (self.get(n) ?? 0) + profile.timeDeltas[i] / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const sum = (key) => {
    const m = new Map();
    for (const [n, ms] of self) m.set(key(n.callFrame), (m.get(key(n.callFrame)) ?? 0) + ms);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const line = ([name, ms]) => `${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`;
  console.log(`profiled ${total.toFixed(1)} ms of CPU on ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()}\n\nself time by script:`);
  for (const row of sum(bucket)) if (row[1] >= 0.5) console.log(line(row));
  console.log(`\nfunctions with the most self time:`);
  for (const row of sum((f) => `${f.functionName || "(anonymous)"} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ""}`).slice(0, top))
    console.log(line(row));
}
