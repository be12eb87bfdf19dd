#!/usr/bin/env node
// Bundles the CLI into one file so start-up reads one module instead of hundreds.
// The AWS SDK stays in the bundle but behind dynamic imports that only KMS/STS paths reach.
import { build } from "esbuild";
import { chmodSync } from "node:fs";

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/kmseal.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  splitting: false,
  sourcemap: false,
  legalComments: "none",
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __kmsealRequire } from 'node:module'; const require = __kmsealRequire(import.meta.url);",
  },
  logLevel: "warning",
});
chmodSync("dist/kmseal.js", 0o755);
