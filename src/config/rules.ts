/**
 * First-match rule lookup; globs are relative to the `.kmsrc` folder and cover both names of a file.
 * A `path_regex` rule (a `.sops.yaml` creation rule, or a `.kmsrc` rule carried over from one) is an
 * RE2 regex searched in the path relative to the config's folder, as sops does (Go's MatchString:
 * unanchored), and "" matches every path.
 */
import picomatch from "picomatch";
import { compileKeyRegex } from "../core/regex.js";
import { decryptedName, encryptedName } from "../stores/file-name.js";
import type { Kmsrc, Rule } from "./kmsrc.js";
import { projectPath } from "./project-path.js";

interface Matcher {
  readonly covers: (path: string) => boolean;
  readonly excludes: (path: string) => boolean;
}

const matchers = new WeakMap<Rule, Matcher>();
const NOTHING = () => false;
const GLOB = { dot: true, flags: "s" } as const;
const EVERYTHING = () => true;

function matcherOf(rule: Rule): Matcher {
  let m = matchers.get(rule);
  if (m === undefined) {
    const regex = rule.pathRegex;
    // `*.example` means such a file in any folder, as it does in .gitignore. picomatch writes `**`
    // with `.`, which stops at a newline: the `s` flag makes every glob match any character but `/`
    // in a segment, so `secrets/**` covers a name with a newline too (and, through decodePath, one
    // that is not UTF-8).
    m = {
      covers:
        regex === undefined
          ? picomatch(rule.path, GLOB)
          : regex === ""
            ? EVERYTHING
            : (
                (re) => (path: string) =>
                  re.test(path)
              )(compileKeyRegex(regex)),
      excludes: rule.exclude.length === 0 ? NOTHING : picomatch([...rule.exclude], { ...GLOB, basename: true }),
    };
    matchers.set(rule, m);
  }
  return m;
}

export { projectPath } from "./project-path.js";

/** How messages name a rule: its glob, or where a `.sops.yaml` rule is and its regex. */
export function ruleLabel(rule: Rule): string {
  if (rule.where !== undefined) return rule.pathRegex === "" ? `${rule.where} (no path_regex: every file)` : `${rule.where} path_regex "${rule.pathRegex}"`;
  return rule.pathRegex !== undefined ? `path_regex "${rule.pathRegex}"` : rule.path;
}

/**
 * The first rule whose glob matches the file (or, for `x.enc.yaml`, its plaintext name `x.yaml`)
 * and whose `exclude` matches neither name: excluding `.env.example` excludes `.env.example.enc` too.
 * A regex rule also tries the encrypted name of a plaintext file: sops users name the files they
 * encrypt in place (`\.enc\.yaml$`), and `kmseal encrypt x.yaml` writes exactly that `x.enc.yaml`.
 */
export function ruleFor(config: Kmsrc, absolute: string): Rule | undefined {
  const rel = projectPath(config.root, absolute);
  if (rel.startsWith("../")) return undefined;
  const plain = decryptedName(rel);
  const names = plain !== null ? [rel, plain] : [rel];
  const withSealed = plain !== null ? names : [rel, encryptedName(rel)];
  return config.rules.find((rule) => {
    const m = matcherOf(rule);
    if (names.some((n) => m.excludes(n))) return false;
    return (rule.pathRegex !== undefined ? withSealed : names).some((n) => m.covers(n));
  });
}
