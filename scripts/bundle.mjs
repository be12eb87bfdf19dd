#!/usr/bin/env node
// Bundles the CLI so start-up reads one small entry file. Code splitting keeps the AWS SDK, age,
// yargs and the other heavy modules in chunks that only the dynamic imports needing them load.
//
//   node scripts/bundle.mjs           write dist/kmseal.js and dist/chunks/
//   node scripts/bundle.mjs --meta    also print what each output holds (bytes per package)
//
// Outputs are written chunks first, entry last (by rename), and stale chunks removed at the end, so
// a kmseal started while a build runs finds a consistent entry and chunk set.
import { build } from "esbuild";
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";

const ENTRY = resolve("dist/kmseal.js");
const CHUNKS = resolve("dist/chunks");

const result = await build({
  entryPoints: { kmseal: "src/cli/main.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  // ESM builds where a package has them (the AWS SDK's dist-es): their named exports survive a dynamic
  // import in a split chunk, where a CommonJS module would only have `default`.
  mainFields: ["module", "main"],
  format: "esm",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  write: false,
  metafile: true,
  // CommonJS dependencies inside the ESM bundle still call require().
  banner: { js: "import { createRequire as __kmsealRequire } from 'node:module'; const require = __kmsealRequire(import.meta.url);" },
  logLevel: "warning",
});

const written = new Set();
const writeAtomic = (path, contents, mode) => {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents, { mode });
  renameSync(temp, path);
};
for (const file of result.outputFiles) {
  if (file.path === ENTRY) continue;
  writeAtomic(file.path, file.contents, 0o644);
  written.add(basename(file.path));
}
const entry = result.outputFiles.find((f) => f.path === ENTRY);
writeAtomic(ENTRY, Buffer.concat([Buffer.from("#!/usr/bin/env node\n"), entry.contents]), 0o755);
chmodSync(ENTRY, 0o755);
for (const name of readdirSync(CHUNKS)) if (!written.has(name)) rmSync(resolve(CHUNKS, name), { force: true });

if (process.argv.includes("--meta")) {
  for (const [out, o] of Object.entries(result.metafile.outputs)) {
    const byPackage = {};
    for (const [input, v] of Object.entries(o.inputs)) {
      const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1] : input.replace(/^src\/([^/]+)\/.*/, "src/$1");
      byPackage[key] = (byPackage[key] ?? 0) + v.bytesInOutput;
    }
    const top = Object.entries(byPackage).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`${relative(".", out)} ${(o.bytes / 1024).toFixed(0)} KiB${o.entryPoint ? ` (entry ${o.entryPoint})` : ""}`);
    for (const [k, v] of top) console.log(`    ${k} ${(v / 1024).toFixed(1)} KiB`);
  }
}
