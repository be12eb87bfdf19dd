#!/usr/bin/env node
// Runs every compiled *.test.js under build/test with node's test runner. Listing the files
// explicitly keeps helper modules under test/ from being run as (empty) test files.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) find(p, out);
    else if (entry.name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

// Arguments are path substrings: a file runs when it contains one of them (all files when there
// are none) and none of the ones written with a leading "!" (e.g. "!build/test/peers/").
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("!"));
const excluded = args.filter((a) => a.startsWith("!")).map((a) => a.slice(1));
let files = find("build/test").sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
files = files.filter((f) => !excluded.some((x) => f.includes(x)));
const slow = process.env.KMSEAL_SLOW === "1";
const testArgs = ["--test", "--test-reporter=spec", `--test-concurrency=${process.env.KMSEAL_TEST_CONCURRENCY ?? 2}`, ...files];
const result = spawnSync(process.execPath, testArgs, { stdio: "inherit", env: { ...process.env, KMSEAL_SLOW: slow ? "1" : "" } });
process.exit(result.status ?? 1);
