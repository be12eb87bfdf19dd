/**
 * The project a file belongs to: the folder of the nearest `.kmsrc`, else the git work tree's top,
 * else the file's own folder. Its root anchors the `file` encryption context.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findKmsrc, loadKmsrc, type Kmsrc } from "./kmsrc.js";

export interface Project {
  readonly root: string;
  readonly config: Kmsrc | null;
}

const cache = new Map<string, Project>();
const configs = new Map<string, Kmsrc>();

/** One parse per `.kmsrc` per process, however many folders below it a bulk run visits. */
function configAt(path: string): Kmsrc {
  let config = configs.get(path);
  if (config === undefined) {
    config = loadKmsrc(path);
    configs.set(path, config);
  }
  return config;
}

function gitTop(dir: string): string | null {
  let current = dir;
  for (;;) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** `configPath` (--config) wins over discovery. Results are cached per folder for bulk runs. */
export function projectOf(file: string, configPath?: string): Project {
  const dir = dirname(resolve(file));
  const key = `${configPath ?? ""}\u0000${dir}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const kmsrc = configPath !== undefined ? resolve(configPath) : findKmsrc(dir);
  const project: Project = kmsrc !== null ? { root: dirname(kmsrc), config: configAt(kmsrc) } : { root: gitTop(dir) ?? dir, config: null };
  cache.set(key, project);
  return project;
}
