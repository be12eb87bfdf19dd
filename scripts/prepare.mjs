#!/usr/bin/env node
// npm's `prepare`: builds dist/ wherever kmseal is installed from source (a git URL, `pre-commit`'s
// `repo:`/`rev:`, a local folder), since dist/ is not committed. In this repository `npm ci` has
// already installed the build tools and this is just `npm run build`.
//
// npm prepares a git dependency by running `npm install` in a temporary clone, and under
// `npm install -g` (how the pre-commit framework installs a node hook) that nested install inherits
// the global flag and prefix: the clone's devDependencies go to the global prefix instead of its own
// node_modules, and the build finds no `tsc`. So when the build tools cannot be resolved from here,
// they are installed into this folder first, explicitly local, from the lockfile.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(new URL("../package.json", import.meta.url));

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

// The npm that runs this script (npm_execpath), else the one on PATH.
const npmCli = process.env.npm_execpath;
const local = { ...process.env, npm_config_global: "false", npm_config_prefix: root, NPM_CONFIG_PREFIX: root };
function npm(args) {
  const [cmd, argv] = npmCli ? [process.execPath, [npmCli, ...args]] : ["npm", args];
  const r = spawnSync(cmd, argv, { cwd: root, env: local, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`kmseal prepare: npm ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(r.status || 1);
  }
}

if (!resolvable("typescript") || !resolvable("esbuild")) {
  npm(["install", "--global=false", "--include=dev", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"]);
}
npm(["run", "build"]);
