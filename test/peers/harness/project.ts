import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PLAIN_FIXTURES } from "./paths.js";
import { makeTempDir } from "./temp-dirs.js";

/**
 * A temp project: a directory with a `.kmsrc` (so it is kmseal's project root and the `file`
 * context is the path relative to it). Removed with the other temp dirs after the suite.
 */
export interface Project {
  readonly dir: string;
  path(rel: string): string;
  write(rel: string, data: string | Uint8Array): string;
  read(rel: string): Buffer;
  exists(rel: string): boolean;
  /** Copies fixtures/plain/<name> to `rel` (default: same name at the root). */
  copyFixture(name: string, rel?: string): string;
  /** Every file below the root except `.kmsrc`, as sorted relative paths. */
  files(): string[];
}

export function makeProject(kmsrc = "rules: []\n"): Project {
  const dir = makeTempDir("project");
  const path = (rel: string) => join(dir, rel);
  const ensureParent = (rel: string) => mkdirSync(dirname(path(rel)), { recursive: true });
  const project: Project = {
    dir,
    path,
    write(rel, data) {
      ensureParent(rel);
      writeFileSync(path(rel), data);
      return path(rel);
    },
    read: (rel) => readFileSync(path(rel)),
    exists: (rel) => existsSync(path(rel)),
    copyFixture(name, rel = name) {
      ensureParent(rel);
      copyFileSync(join(PLAIN_FIXTURES, name), path(rel));
      return path(rel);
    },
    files() {
      const out: string[] = [];
      const walk = (sub: string) => {
        for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
          const rel = sub === "" ? e.name : `${sub}/${e.name}`;
          if (e.isDirectory()) walk(rel);
          else if (rel !== ".kmsrc") out.push(rel);
        }
      };
      walk("");
      return out.sort();
    },
  };
  project.write(".kmsrc", kmsrc);
  return project;
}

/** The plaintext fixtures present in fixtures/plain/, sorted. */
export function plainFixtures(): string[] {
  if (!existsSync(PLAIN_FIXTURES)) return [];
  return readdirSync(PLAIN_FIXTURES, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== ".gitkeep" && !e.name.endsWith(".md"))
    .map((e) => e.name)
    .sort();
}

/** The bytes of fixtures/plain/<name>. */
export function readFixture(name: string): Buffer {
  return readFileSync(join(PLAIN_FIXTURES, name));
}
