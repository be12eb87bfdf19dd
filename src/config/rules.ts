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
const GLOB = { dot: true, flags: "s" } as const;

function matcherOf(rule: Rule): Matcher {
  let m = matchers.get(rule);
  if (m === undefined) {
    // `*.example` means such a file in any folder, as it does in .gitignore. picomatch writes `**`
    // with `.`, which stops at a newline: the `s` flag makes every glob match any character but `/`
    // in a segment, so `secrets/**` covers a name with a newline too (and, through decodePath, one
    // that is not UTF-8).
    m = {
      covers: picomatch(rule.path, GLOB),
      excludes: rule.exclude.length === 0 ? NOTHING : picomatch([...rule.exclude], { ...GLOB, basename: true }),
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
