/**
 * The project a file belongs to: the folder of the nearest `.kmsrc`, else of the nearest `.sops.yaml`
 * with creation rules, else the git work tree's top, else the file's own folder. Its root anchors the
 * `file` encryption context. sops looks for `.sops.yaml` upwards from the working directory; kmseal
 * looks upwards from the file, as it does for `.kmsrc`, so a bulk run or a git driver finds each
 * file's own config (the same one whenever the command runs at or below the config's folder).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findKmsrc, loadKmsrc, type Kmsrc } from "./kmsrc.js";
import { findSopsYaml, isSopsYamlPath, loadSopsYaml } from "./sops-yaml.js";

export interface Project {
  readonly root: string;
  readonly config: Kmsrc | null;
}

const cache = new Map<string, Project>();
const configs = new Map<string, Kmsrc | null>();

/** One parse per config file per process, however many folders below it a bulk run visits. */
function configAt(path: string): Kmsrc | null {
  let config = configs.get(path);
  if (config === undefined) {
    config = isSopsYamlPath(path) ? loadSopsYaml(path) : loadKmsrc(path);
    configs.set(path, config);
  }
  return config;
}

/** The nearest `.sops.yaml`, when it has creation rules: sops takes one without them as no config at all. */
function sopsProject(dir: string): Project | null {
  const found = findSopsYaml(dir);
  if (found === null) return null;
  const config = configAt(found);
  return config !== null ? { root: dirname(found), config } : null;
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
  const project: Project =
    kmsrc !== null ? { root: dirname(kmsrc), config: configAt(kmsrc) } : (sopsProject(dir) ?? { root: gitTop(dir) ?? dir, config: null });
  cache.set(key, project);
  return project;
}
