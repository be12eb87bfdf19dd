#!/usr/bin/env node
// Bundles the CLI as classic scripts (CommonJS), so start-up skips the ESM loader: Node 20's loader
// costs about 1 ms per module, and the split ESM build made every command load 26 to 32 chunks.
//
//   dist/kmseal.cjs           the bin: a few lines that turn on Node's compile cache where there
//                             is one and require the script holding the command that runs
//   dist/kmseal.js            the same as an ES module, for `node dist/kmseal.js`
//   dist/chunks/cmd-*.cjs     per command module, all of src/ but the other commands' modules;
//   dist/chunks/cli.cjs       all of src/ (for help); a module only some paths need is wrapped by
//                             esbuild and evaluated on its first import(), not at start-up
//   dist/chunks/vendor-*.cjs  the packages (yaml, age-encryption, fast-glob, picomatch, braces, the AWS SDK), each
//                             required the first time kmseal's code imports it, so a command that
//                             never touches YAML, KMS or globs does not even parse them
//
//   node scripts/bundle.mjs           write dist/kmseal.js, dist/kmseal.cjs and dist/chunks/
//   node scripts/bundle.mjs --meta    also print what each output holds (bytes per package)
//
// Outputs are written chunks first, entry last (by rename), and stale chunks removed at the end, so
// a kmseal started while a build runs finds a consistent entry and chunk set.
import { build } from "esbuild";
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

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
const CJS_ENTRY = resolve("dist/kmseal.cjs");
const CHUNKS = resolve("dist/chunks");

/**
 * The packages that get a script of their own, by the name kmseal's code imports them with. Both AWS
 * clients share one script: they share the SDK's core (@smithy), which would otherwise be parsed
 * twice when an MFA session and a KMS call happen in one run.
 */
const VENDOR = {
  yaml: "yaml",
  "age-encryption": "age",
  "fast-glob": "fast-glob",
  picomatch: "picomatch",
  braces: "braces",
};
// Every @aws-sdk package src/ imports is in the one SDK script (see sdkSubsetSource).
const vendorFile = (pkg) => `vendor-${pkg.startsWith("@aws-sdk/") ? "aws" : VENDOR[pkg]}.cjs`;

/**
 * In cli.cjs an import of a vendor package becomes `require("./vendor-….cjs")`, resolved next to
 * cli.cjs at run time. esbuild keeps a dynamic `import()` of an external module as `import()` (the
 * ESM loader again), so the import is pointed at a one-line CommonJS module instead, which esbuild
 * bundles and turns into a require.
 */
const vendorStubs = {
  name: "vendor-stubs",
  setup(b) {
    const names = Object.keys(VENDOR).map((n) => n.replace(/[/\\-]/g, "\\$&"));
    b.onResolve({ filter: new RegExp(`^(${names.join("|")}|@aws-sdk/[\\w-]+)$`) }, (args) => ({ path: args.path, namespace: "vendor-stub" }));
    b.onLoad({ filter: /.*/, namespace: "vendor-stub" }, async (args) => ({ contents: await stubSource(args.path), loader: "js" }));
    b.onResolve({ filter: /^\.\/vendor-[\w-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * A static `import { parseDocument } from "yaml"` in a module evaluates the import when the module
 * does, so every command whose script holds the module paid for parsing the package (yaml 9 ms and
 * picomatch 4 ms of a `set` on Node 20) whether or not it used it. The stub of such a package
 * therefore loads the package's script on first use: each export is a getter (esbuild reads imports
 * as `import_yaml.parseDocument` where they are used, not where they are imported), and a package
 * that is a function (picomatch, braces, fast-glob) is a function that forwards its calls. The
 * export names are the package's own, read here. The AWS SDK is only reached through import(),
 * which is lazy already, so its stub requires at once.
 */
const LAZY = ["yaml", "age-encryption", "fast-glob", "picomatch", "braces"];
const requireHere = createRequire(resolve("package.json"));
async function stubSource(pkg) {
  const load = `require("./${vendorFile(pkg)}")`;
  if (!LAZY.includes(pkg)) return `module.exports = ${load};\n`;
  let real;
  try {
    real = requireHere(pkg);
  } catch (err) {
    if (err.code !== "ERR_REQUIRE_ESM") throw err;
    real = await import(pkg);
  }
  const names = Object.keys(real).filter((n) => n !== "default" && n !== "__esModule");
  const lines = [`let loaded;`, `const load = () => (loaded ??= ${load});`];
  lines.push(typeof real === "function" ? "module.exports = function (...args) { return load().apply(this, args); };" : "module.exports = {};");
  for (const n of names)
    lines.push(`Object.defineProperty(module.exports, ${JSON.stringify(n)}, { enumerable: true, get: () => load()[${JSON.stringify(n)}] });`);
  return lines.join("\n") + "\n";
}

/**
 * `await import("@aws-sdk/client-kms")` would keep every export of the package alive (about 50
 * commands and their schemas). vendor-aws.cjs exports only the clients and commands named somewhere
 * in src/, so the rest is left out.
 */
const SDK_PACKAGES = ["@aws-sdk/client-kms", "@aws-sdk/client-sts"];
function srcTexts(dir = "src", out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) srcTexts(path, out);
    else if (entry.name.endsWith(".ts")) out.push(readFileSync(path, "utf8"));
  }
  return out;
}
function namesUsedInSrc() {
  const out = new Set();
  for (const text of srcTexts()) for (const m of text.matchAll(/\b[A-Z]\w*(?:Command|Client)\b/g)) out.add(m[0]);
  return out;
}
/**
 * The other SDK packages src/ imports (the default credential chain), each with those of its exports
 * that the importing files name, so a new SDK import joins vendor-aws.cjs without a list to keep.
 */
async function sdkExtra() {
  const extra = {};
  for (const text of srcTexts()) {
    for (const [, pkg] of text.matchAll(/(?:from |import\()"(@aws-sdk\/[\w-]+)"/g)) {
      if (SDK_PACKAGES.includes(pkg)) continue;
      const names = Object.keys(await import(pkg)).filter((n) => n !== "default" && new RegExp(`\\b${n}\\b`).test(text));
      extra[pkg] = [...new Set([...(extra[pkg] ?? []), ...names])];
    }
  }
  for (const [pkg, names] of Object.entries(extra)) if (names.length === 0) throw new Error(`src/ imports ${pkg} but names none of its exports`);
  return extra;
}
async function sdkSubsetSource() {
  const used = namesUsedInSrc();
  const seen = new Map();
  const lines = [];
  for (const pkg of SDK_PACKAGES) {
    const names = Object.keys(await import(pkg)).filter((n) => used.has(n));
    for (const n of names) {
      if (seen.has(n)) throw new Error(`${n} is exported by both ${seen.get(n)} and ${pkg}: vendor-aws.cjs needs them apart`);
      seen.set(n, pkg);
    }
    lines.push(`export { ${names.join(", ")} } from "${pkg}";`);
  }
  for (const [pkg, names] of Object.entries(await sdkExtra())) lines.push(`export { ${names.join(", ")} } from "${pkg}";`);
  return lines.join("\n") + "\n";
}

const COMMON = {
  bundle: true,
  platform: "node",
  format: "cjs",
  // ESM builds where a package has them (the AWS SDK's dist-es): esbuild can drop what is unused.
  mainFields: ["module", "main"],
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  write: false,
  metafile: true,
  logLevel: "warning",
};

/**
 * kmseal's own code reads `import.meta.url` (createRequire for re2js, which stays an installed
 * dependency, and for child_process); in a classic script that is the script's own file URL.
 */
const IMPORT_META_URL = 'const __kmsealImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';

/**
 * One script per command module (dist/chunks/cmd-<module>.cjs): the whole CLI, but with the other
 * commands' modules left out, so a command parses only its own code (V8 compiles every byte of a
 * script it is handed; 475 KB for all commands was a quarter of a decrypt's start-up). Which module a
 * command loads is read from its table's `load` (tsc has compiled src/cli/catalog.ts to dist/ before
 * this script runs). A process loads exactly one of these scripts, so kmseal's classes (errors
 * checked with instanceof) exist once; a left-out module is replaced by one that throws, which the
 * bin's choice (made with the commandIndex main.ts uses) never reaches.
 */
const { COMMANDS } = await import(pathToFileURL(resolve("dist/cli/catalog.js")).href);
const moduleOf = {};
for (const spec of COMMANDS) {
  const m = [...spec.load.toString().matchAll(/commands\/([\w-]+)\.js/g)].map((x) => x[1]);
  if (new Set(m).size !== 1) throw new Error(`cannot tell which module the ${spec.name} command loads: ${spec.load.toString()}`);
  moduleOf[spec.name] = m[0];
}
const MODULES = [...new Set(Object.values(moduleOf))];
const onlyCommand = (keep) => ({
  name: "only-command",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/commands\/[\w-]+\.js$/ }, (args) => {
      const m = /([\w-]+)\.js$/.exec(args.path)[1];
      return m === keep ? undefined : { path: m, namespace: "left-out" };
    });
    b.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
      contents: `throw new Error("this script holds the ${keep} command module, not ${args.path}: the bin picked the wrong script");\n`,
      loader: "js",
    }));
  },
});
const cli = (outName, plugins) =>
  build({
    ...COMMON,
    entryPoints: ["src/cli/bin.ts"],
    outfile: resolve(CHUNKS, outName),
    define: { "import.meta.url": "__kmsealImportMetaUrl" },
    banner: { js: IMPORT_META_URL },
    plugins: [vendorStubs, ...plugins],
  });

const builds = await Promise.all([
  cli("cli.cjs", []),
  ...MODULES.map((m) => cli(`cmd-${m}.cjs`, [onlyCommand(m)])),
  build({ ...COMMON, entryPoints: ["age-encryption"], outfile: resolve(CHUNKS, vendorFile("age-encryption")), plugins: [ageReadAll] }),
  ...["yaml", "fast-glob", "picomatch", "braces"].map((pkg) => build({ ...COMMON, entryPoints: [pkg], outfile: resolve(CHUNKS, vendorFile(pkg)) })),
  build({
    ...COMMON,
    stdin: { contents: await sdkSubsetSource(), resolveDir: process.cwd(), sourcefile: "sdk-subset.js" },
    outfile: resolve(CHUNKS, vendorFile("@aws-sdk/client-kms")),
  }),
]);

/**
 * The bin, twice: dist/kmseal.cjs is the package's `bin` (a classic script, so an installed `kmseal`
 * never starts Node's ESM loader: about 4 ms of CPU on Node 20), and dist/kmseal.js the same code as
 * an ES module, for `node dist/kmseal.js` (the package is "type": "module"). Each finds the command
 * word and hands over at once to the classic script holding that command (cli.cjs, holding all, for
 * help and unknown words).
 *
 * Node 22.1 and later can keep V8's compiled code for these scripts (about 15 ms of a decrypt on
 * Node 24). The cache goes in the user's own cache directory, as the MFA sessions do, never in the
 * shared os.tmpdir() (Node's default): a cache entry is code Node runs, and anyone who can write
 * /tmp could plant one. NODE_COMPILE_CACHE (Node's own switch) wins; NODE_DISABLE_COMPILE_CACHE=1
 * turns it off; Node 20 has no such cache.
 */
const SCRIPT_OF = Object.fromEntries(Object.entries(moduleOf).map(([name, m]) => [name, `cmd-${m}.cjs`]));
// An alias (`run` for `exec`) starts the same script as its command.
for (const spec of COMMANDS) for (const alias of spec.aliases ?? []) SCRIPT_OF[alias] = SCRIPT_OF[spec.name];
// The cache directory is made here, one level at a time under a cache directory that exists:
// Node 22 and 24 loop for ever in a recursive mkdir (theirs, or enableCompileCache's) under a HOME
// where mkdir answers ENOENT (e.g. in /proc).
const binSource = (here) => `import * as nodeModule from "node:module";
import { mkdirSync, statSync } from "node:fs";
import { commandIndex } from "./src/cli/command-word.ts";
if (nodeModule.enableCompileCache !== undefined && process.env.NODE_COMPILE_CACHE === undefined) {
  const xdg = process.env.XDG_CACHE_HOME;
  const home = process.env.HOME;
  const [root, levels] = xdg !== undefined && xdg.startsWith("/") ? [xdg, ["/kmseal", "/node-compile-cache"]] : [home, ["/.cache", "/kmseal", "/node-compile-cache"]];
  try {
    if (root !== undefined && root.startsWith("/") && statSync(root).isDirectory()) {
      let dir = root;
      for (const level of levels) {
        dir += level;
        try {
          mkdirSync(dir, { mode: 0o700 });
        } catch (err) {
          if (err.code !== "EEXIST") throw err;
        }
      }
      nodeModule.enableCompileCache(dir);
    }
  } catch {
    // No cache: start as Node 20 does.
  }
}
const argv = process.argv.slice(2);
const at = commandIndex(argv);
const scripts = ${JSON.stringify(SCRIPT_OF)};
const script = at !== undefined && Object.hasOwn(scripts, argv[at]) ? scripts[argv[at]] : "cli.cjs";
nodeModule.createRequire(${here})("./chunks/" + script);
`;
const bins = await Promise.all(
  [
    [ENTRY, "esm", "import.meta.url"],
    [CJS_ENTRY, "cjs", "__filename"],
  ].map(async ([outfile, format, here]) => {
    const out = await build({
      ...COMMON,
      format,
      metafile: false,
      stdin: { contents: binSource(here), resolveDir: process.cwd(), sourcefile: "kmseal-bin.ts", loader: "ts" },
      outfile,
    });
    return [outfile, Buffer.concat([Buffer.from("#!/usr/bin/env node\n"), out.outputFiles[0].contents])];
  }),
);

const written = new Set();
const writeAtomic = (path, contents, mode) => {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents, { mode });
  renameSync(temp, path);
};
for (const result of builds) {
  for (const file of result.outputFiles) {
    writeAtomic(file.path, file.contents, 0o644);
    written.add(basename(file.path));
  }
}
for (const [path, contents] of bins) {
  writeAtomic(path, contents, 0o755);
  chmodSync(path, 0o755);
}
for (const name of readdirSync(CHUNKS)) if (!written.has(name)) rmSync(resolve(CHUNKS, name), { force: true });

if (process.argv.includes("--meta")) {
  for (const result of builds) {
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
      console.log(`${relative(".", out)} ${(o.bytes / 1024).toFixed(0)} KiB`);
      for (const [k, v] of top) console.log(`    ${k} ${(v / 1024).toFixed(1)} KiB`);
    }
  }
}
