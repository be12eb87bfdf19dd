import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = process.cwd();
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  files?: string[];
};

/** Runs npm offline: packing and reading the lockfile need no registry. */
function npm(args: string[]) {
  return spawnSync("npm", args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
}

describe("supply chain", () => {
  it(
    "the published package holds only dist/, README, LICENSE, package.json and .kmsrc.example",
    { skip: !existsSync(join(ROOT, "dist", "kmseal.js")) && "run npm run build first" },
    () => {
      const r = npm(["pack", "--dry-run", "--json", "--ignore-scripts"]);
      assert.equal(r.status, 0, r.stderr);
      const [packed] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
      const paths = packed!.files.map((f) => f.path);
      const stray = paths.filter((p) => !p.startsWith("dist/") && !["README.md", "LICENSE", "package.json", ".kmsrc.example"].includes(p));
      assert.deepEqual(stray, [], "files outside dist/ and the four top-level files");
      // The README, init's starter file and the .kmsrc error hint all point to it.
      for (const needed of ["dist/kmseal.js", "README.md", "LICENSE", "package.json", ".kmsrc.example"])
        assert.ok(paths.includes(needed), `${needed} is packed`);
      assert.ok(
        !paths.some((p) => /(^|\/)(test|fixtures|\.peers|build)\//.test(p) || /\.(agekey|pem)$|\.enc(\.|$)/.test(p)),
        "no tests, fixtures, keys or sealed files",
      );
    },
  );

  it("every dependency is pinned by the lockfile with an integrity hash", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      lockfileVersion: number;
      packages: Record<string, { version?: string; resolved?: string; integrity?: string; link?: boolean }>;
    };
    assert.ok(lock.lockfileVersion >= 2);
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const entry = lock.packages[`node_modules/${name}`];
      assert.ok(entry?.version, `${name} is in package-lock.json`);
    }
    // The integrity hash pins the content, whichever registry or mirror serves it (`resolved` may be absent).
    const unpinned = Object.entries(lock.packages).filter(([path, e]) => path !== "" && !e.link && !/^sha512-/.test(e.integrity ?? ""));
    assert.deepEqual(
      unpinned.map(([p]) => p),
      [],
      "locked packages without a sha512 integrity hash",
    );
  });

  it("the installed tree matches the lockfile (npm ls finds nothing missing or invalid)", () => {
    const r = npm(["ls", "--all", "--json"]);
    const tree = JSON.parse(r.stdout || "{}") as { problems?: string[] };
    assert.deepEqual(tree.problems ?? [], []);
  });
});
