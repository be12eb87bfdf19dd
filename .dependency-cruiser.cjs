// The layer rules of docs/architecture.md. Data flows one way:
//   core → platform → {stores, keys, credentials, config, git} → ops → {cli, index.ts, env/}
// Middle layer: its five folders are independent of each other, with one exception —
// config may import stores, because a .kmsrc rule names the decrypted file, which
// stores/file-name.ts owns. In particular git and config never import each other.
// Tests (test/) may import any layer; they are checked for cycles only.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes the layers meaningless and the load order fragile.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-nothing",
      severity: "error",
      comment: "src/core is the pure sops model: it imports nothing else of the project.",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "platform-only-core-errors",
      severity: "error",
      comment: "src/platform (files, locks, terminal) needs only the error types of src/core.",
      from: { path: "^src/platform/" },
      to: { path: "^src/", pathNot: ["^src/platform/", "^src/core/errors\\.ts$"] },
    },
    {
      name: "middle-not-upwards",
      severity: "error",
      comment: "stores, keys, credentials, config and git sit below ops and the entry points.",
      from: { path: "^src/(stores|keys|credentials|config|git)/" },
      to: { path: ["^src/(ops|cli|env)/", "^src/index\\.ts$"] },
    },
    {
      name: "middle-independent",
      severity: "error",
      comment: "stores, keys, credentials and git do not import each other, nor config.",
      from: { path: "^src/(stores|keys|credentials|git)/" },
      to: { path: "^src/(stores|keys|credentials|config|git)/", pathNot: "^src/$1/" },
    },
    {
      name: "config-only-stores",
      severity: "error",
      comment: "config may read stores (file names) but not keys, credentials or git.",
      from: { path: "^src/config/" },
      to: { path: "^src/(keys|credentials|git)/" },
    },
    {
      name: "ops-not-entry-points",
      severity: "error",
      comment: "ops serves the CLI, the library entry and env/; it imports none of them.",
      from: { path: "^src/ops/" },
      to: { path: ["^src/(cli|env)/", "^src/index\\.ts$"] },
    },
    {
      name: "nothing-imports-cli",
      severity: "error",
      comment: "src/cli is a leaf: the library (index.ts, env/) must work without it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "env-not-from-below",
      severity: "error",
      comment: "src/env is an entry point; only src/index.ts re-exports it.",
      from: { path: "^src/", pathNot: ["^src/env/", "^src/index\\.ts$"] },
      to: { path: "^src/env/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that does not resolve is a broken build waiting for a bundle.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "src-not-to-dev-deps",
      severity: "error",
      comment: "The published package installs only dependencies; type-only imports vanish at build.",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // type-only imports count: a layer leak through types is still a leak.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.test.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
