/** First-match rule lookup; globs are relative to the `.kmsrc` folder and cover both names of a file. */
import picomatch from "picomatch";
import { relative, sep } from "node:path";
import { decryptedName } from "../stores/file-name.js";
import type { Kmsrc, Rule } from "./kmsrc.js";

const matchers = new WeakMap<Rule, (path: string) => boolean>();

function matcherOf(rule: Rule): (path: string) => boolean {
  let m = matchers.get(rule);
  if (m === undefined) {
    m = picomatch(rule.path, { dot: true });
    matchers.set(rule, m);
  }
  return m;
}

/** `path` relative to the project root with `/` separators. */
export function projectPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join("/");
}

/** The first rule whose glob matches the file (or, for `x.enc.yaml`, its plaintext name `x.yaml`). */
export function ruleFor(config: Kmsrc, absolute: string): Rule | undefined {
  const rel = projectPath(config.root, absolute);
  if (rel.startsWith("../")) return undefined;
  const plain = decryptedName(rel);
  return config.rules.find((rule) => {
    const m = matcherOf(rule);
    return m(rel) || (plain !== null && m(plain));
  });
}
