// Type-aware lint with typescript-eslint's strictTypeChecked set. typescript-eslint needs
// TypeScript's JavaScript API, which TypeScript 7 no longer has: `npm run lint` starts ESLint with
// scripts/classic-typescript.mjs, which hands it TypeScript 6 ("typescript-classic") instead.
// (typescript-eslint's experimental tsgo backend wants a TypeScript 7.1 build, not the 7.0 we build with.)
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "build/", "node_modules/", ".peers/", "bench/work/", "fixtures/"] },
  {
    files: ["src/**/*.ts", "test/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: "./tsconfig.test.json", tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // node:test runs and awaits test()/describe() itself; awaiting them at top level changes nothing.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] }] },
      ],
      // A number prints unambiguously in a message; undefined, objects and unions with them stay errors.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // With noUncheckedIndexedAccess, `xs[i]!` after a bounds check is the idiom; needless ones are
      // still caught by no-unnecessary-type-assertion.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
