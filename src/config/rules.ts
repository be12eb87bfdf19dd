/** First-match rule lookup; globs are relative to the `.kmsrc` folder and cover both names of a file. */
import picomatch from "picomatch";
import { decryptedName } from "../stores/file-name.js";
import type { Kmsrc, Rule } from "./kmsrc.js";
import { projectPath } from "./project-path.js";

interface Matcher {
  readonly covers: (path: string) => boolean;
  readonly excludes: (path: string) => boolean;
}

const matchers = new WeakMap<Rule, Matcher>();
const NOTHING = () => false;

function matcherOf(rule: Rule): Matcher {
  let m = matchers.get(rule);
  if (m === undefined) {
    // `*.example` means such a file in any folder, as it does in .gitignore.
    m = {
      covers: picomatch(rule.path, { dot: true }),
      excludes: rule.exclude.length === 0 ? NOTHING : picomatch([...rule.exclude], { dot: true, basename: true }),
    };
    matchers.set(rule, m);
  }
  return m;
}

export { projectPath } from "./project-path.js";

/**
 * The first rule whose glob matches the file (or, for `x.enc.yaml`, its plaintext name `x.yaml`)
 * and whose `exclude` matches neither name: excluding `.env.example` excludes `.env.example.enc` too.
 */
export function ruleFor(config: Kmsrc, absolute: string): Rule | undefined {
  const rel = projectPath(config.root, absolute);
  if (rel.startsWith("../")) return undefined;
  const plain = decryptedName(rel);
  return config.rules.find((rule) => {
    const m = matcherOf(rule);
    if (m.excludes(rel) || (plain !== null && m.excludes(plain))) return false;
    return m.covers(rel) || (plain !== null && m.covers(plain));
  });
}
