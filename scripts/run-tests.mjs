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
const env = { ...process.env, KMSEAL_SLOW: slow ? "1" : "" };
// The install suites (test/dist) run npm and pre-commit installs that take minutes; npm's git
// dependency preparation under `-g` failed once (ENOTEMPTY inside its own tree) while another heavy
// file ran beside it, and passes alone. They run after the rest, one file at a time.
const serial = files.filter((f) => f.includes("build/test/dist/"));
const parallel = files.filter((f) => !serial.includes(f));
let status = 0;
for (const [group, concurrency] of [
  [parallel, process.env.KMSEAL_TEST_CONCURRENCY ?? 2],
  [serial, 1],
]) {
  if (group.length === 0) continue;
  const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", `--test-concurrency=${concurrency}`, ...group], { stdio: "inherit", env });
  if ((result.status ?? 1) !== 0) status = result.status ?? 1;
}
process.exit(status);
