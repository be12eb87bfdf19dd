#!/usr/bin/env node
/**
 * `npm run bench`: kmseal against bare Node (B0 = `node -e 0`) and sops, whole processes, on inputs
 * generated from a fixed seed. Prints a Markdown table and writes it to bench/results.md.
 *
 *   npm run bench                      every scenario, 10 runs after a warm-up
 *   npm run bench -- --quick           3 runs, no 100,000-value file, no 200-process loops
 *   npm run bench -- --runs 20 --only 'env|check'
 *   npm run bench -- --no-build        measure dist/ as it is
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEnv, build, findPeer, machine, peerVersion, removeHarnessTempDirs, ROOT, startEmulator, WORK } from "./environment.mjs";
import { measure, runOnce } from "./measure.mjs";
import { prepare } from "./prepare.mjs";
import { fmtMs, resultsFile, table } from "./report.mjs";
import { scenarios } from "./scenarios.mjs";

function options(argv) {
  const o = { quick: false, build: true, only: undefined, runs: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--no-build") o.build = false;
    else if (a === "--only") o.only = new RegExp(argv[++i]);
    else if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log("usage: node bench/run.mjs [--quick] [--runs N] [--only REGEX] [--no-build]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  o.runs ??= o.quick ? 3 : 10;
  o.warmup = 1;
  o.loopRuns = o.quick ? 1 : 3;
  return o;
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
    const prepared = await prepare(env, emulator, opts);
    const all = scenarios(prepared, { sops, env, quick: opts.quick }).filter((s) => opts.only === undefined || opts.only.test(s.id));
    const done = [];
    for (const s of all) {
      if (emulator !== undefined) await emulator.record();
      s.kmseal.before?.();
      // One unmeasured run first: its requests are counted, and a decrypt's output is compared with the plaintext.
      const check = await runOnce(s.kmseal.cmd, { cwd: s.kmseal.cwd, env: s.kmseal.env, rssFile: join(WORK, ".rss-check"), capture: s.expect !== undefined });
      if (check.status === 0 && s.expect !== undefined && !check.stdout.equals(readFileSync(s.expect))) {
        s.outputError = `the output of \`${s.kmseal.cmd.slice(2).join(" ")}\` differs from the plaintext it was sealed from`;
        log(`  ${s.outputError}`);
      }
      if (emulator !== undefined) {
        s.requestsSeen = await emulator.recorded();
        if (s.requests !== undefined && check.status === 0) s.requestsOk = requestsMatch(s.requestsSeen, s.requests);
      }
      const variants = [
        { name: "b0", cmd: [process.execPath, "-e", "0"], cwd: ROOT, env: s.kmseal.env },
        { name: "kmseal", ...s.kmseal },
        ...(s.sops ? [{ name: "sops", ...s.sops }] : []),
      ];
      const runs = s.loop ? opts.loopRuns : opts.runs;
      log(`${s.id}: ${runs} runs${s.loop ? " (each run is a loop of 200 processes)" : ""} ...`);
      s.results = await measure(variants, { runs, warmup: s.loop ? 0 : opts.warmup, workDir: WORK });
      const r = s.results;
      log(
        `  kmseal ${fmtMs(r.kmseal.wall?.median)}${r.kmseal.error ? ` FAILED ${r.kmseal.error}` : ""}, B0 ${fmtMs(r.b0.wall?.median)}${r.sops ? `, sops ${fmtMs(r.sops.wall?.median)}${r.sops.error ? ` FAILED ${r.sops.error}` : ""}` : ""}`,
      );
      done.push(s);
    }
    const t = table(done);
    const text = resultsFile(t, { machine: desc, peers, options: opts, date: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
    writeFileSync(join(ROOT, "bench", "results.md"), text);
    process.stdout.write(`${t.markdown}\n\n${[...t.misses, ...t.errors].join("\n")}\n`);
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
