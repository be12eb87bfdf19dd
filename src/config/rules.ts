/** First-match rule lookup; globs are relative to the `.kmsrc` folder and cover both names of a file. */
import picomatch from "picomatch";
import { decryptedName } from "../stores/file-name.js";
import type { Kmsrc, Rule } from "./kmsrc.js";
import { projectPath } from "./project-path.js";

const matchers = new WeakMap<Rule, (path: string) => boolean>();

function matcherOf(rule: Rule): (path: string) => boolean {
  let m = matchers.get(rule);
  if (m === undefined) {
    m = picomatch(rule.path, { dot: true });
    matchers.set(rule, m);
  }
  return m;
}

export { projectPath } from "./project-path.js";

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
