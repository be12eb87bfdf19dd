#!/usr/bin/env node
// Bundles the CLI so start-up reads one small entry file. Code splitting keeps the AWS SDK, age
// and the other heavy modules in chunks that only the dynamic imports needing them load.
//
//   node scripts/bundle.mjs           write dist/kmseal.js and dist/chunks/
//   node scripts/bundle.mjs --meta    also print what each output holds (bytes per package)
//
// Outputs are written chunks first, entry last (by rename), and stale chunks removed at the end, so
// a kmseal started while a build runs finds a consistent entry and chunk set.
import { build } from "esbuild";
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";

/**
 * age-encryption reads its output streams with `new Response(stream)`, and the first use of
 * `Response` makes Node load its whole fetch implementation (undici): about 20 ms of every age
 * decrypt. The same bytes are read here with the stream's own reader. If a new age-encryption
 * version changes these lines, the build says so and keeps the original code.
 */
const ageReadAll = {
  name: "age-read-all",
  setup(b) {
    b.onLoad({ filter: /age-encryption[\\/]dist[\\/]io\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const bytes = "return new Uint8Array(await new Response(stream).arrayBuffer());";
      const text = "return await new Response(stream).text();";
      if (!source.includes(bytes) || !source.includes(text)) {
        return { contents: source, loader: "js", warnings: [{ text: "age-encryption's readAll changed: the undici-free reader is not applied" }] };
      }
      const reader =
        "async function readChunks(stream) { const reader = stream.getReader(); const chunks = []; let n = 0; " +
        "for (;;) { const { done, value } = await reader.read(); if (done) break; chunks.push(value); n += value.length; } " +
        "const out = new Uint8Array(n); let at = 0; for (const c of chunks) { out.set(c, at); at += c.length; } return out; }\n";
      return {
        contents:
          reader + source.replace(bytes, "return await readChunks(stream);").replace(text, "return new TextDecoder().decode(await readChunks(stream));"),
        loader: "js",
      };
    });
  },
};

const ENTRY = resolve("dist/kmseal.js");
const CHUNKS = resolve("dist/chunks");

/**
 * `await import("@aws-sdk/client-kms")` keeps every export of the package alive (about 50 commands
 * and their schemas). kmseal's code imports it (and client-sts) through a module that re-exports
 * only the clients and commands named somewhere in src/, so the rest is left out of the bundle.
 */
const SDK_PACKAGES = ["@aws-sdk/client-kms", "@aws-sdk/client-sts"];
function namesUsedInSrc(dir = "src", out = new Set()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) namesUsedInSrc(path, out);
    else if (entry.name.endsWith(".ts")) for (const m of readFileSync(path, "utf8").matchAll(/\b[A-Z]\w*(?:Command|Client)\b/g)) out.add(m[0]);
  }
  return out;
}
const sdkSubset = {
  name: "sdk-subset",
  setup(b) {
    const used = namesUsedInSrc();
    b.onResolve({ filter: /^@aws-sdk\/client-(kms|sts)$/ }, (args) =>
      args.importer.includes("/node_modules/") || args.namespace === "sdk-subset" ? undefined : { path: args.path, namespace: "sdk-subset" },
    );
    b.onLoad({ filter: /.*/, namespace: "sdk-subset" }, async (args) => {
      const all = Object.keys(await import(args.path));
      const names = all.filter((n) => used.has(n));
      return { contents: `export { ${names.join(", ")} } from "${args.path}";\n`, resolveDir: process.cwd(), loader: "js" };
    });
  },
};

const result = await build({
  entryPoints: { kmseal: "src/cli/bin.ts" },
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
  plugins: [ageReadAll, sdkSubset],
  logLevel: "warning",
});

/**
 * CommonJS dependencies inside the ESM bundle still call require() (esbuild's helper for Node's
 * built-in modules). Only the outputs that name `require` themselves get a local one: a banner on
 * every chunk would build a require function per chunk at start-up.
 */
const REQUIRE = "import { createRequire as __kmsealRequire } from 'node:module'; const require = __kmsealRequire(import.meta.url);\n";
const withRequire = (contents) =>
  /(?<![\w$.])require\b/.test(Buffer.from(contents).toString("utf8")) ? Buffer.concat([Buffer.from(REQUIRE), contents]) : contents;

const written = new Set();
const writeAtomic = (path, contents, mode) => {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents, { mode });
  renameSync(temp, path);
};
for (const file of result.outputFiles) {
  if (file.path === ENTRY) continue;
  writeAtomic(file.path, withRequire(file.contents), 0o644);
  written.add(basename(file.path));
}
const entry = result.outputFiles.find((f) => f.path === ENTRY);
writeAtomic(ENTRY, Buffer.concat([Buffer.from("#!/usr/bin/env node\n"), withRequire(entry.contents)]), 0o755);
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
    const top = Object.entries(byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    console.log(`${relative(".", out)} ${(o.bytes / 1024).toFixed(0)} KiB${o.entryPoint ? ` (entry ${o.entryPoint})` : ""}`);
    for (const [k, v] of top) console.log(`    ${k} ${(v / 1024).toFixed(1)} KiB`);
  }
}
