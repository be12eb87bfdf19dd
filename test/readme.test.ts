import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { commandNamed } from "../src/cli/catalog.js";
import { parseKmsrc } from "../src/config/kmsrc.js";
import { compilePolicy } from "../src/core/policy.js";

const ROOT = new URL("../../", import.meta.url);
const README = readFileSync(fileURLToPath(new URL("README.md", ROOT)), "utf8");
const EXAMPLE = readFileSync(fileURLToPath(new URL(".kmsrc.example", ROOT)), "utf8");

/** The README's `.kmsrc` example: the yaml block of the Git workflow section. */
function readmeKmsrc(): string {
  const section = README.slice(README.indexOf("## Git workflow"));
  const m = /```yaml\n(aws:[\s\S]*?)```/.exec(section);
  assert.ok(m, "the Git workflow section has a .kmsrc example");
  return m[1]!;
}

describe("README and .kmsrc.example examples do what they say", () => {
  for (const [name, text] of [
    ["README", readmeKmsrc()],
    [".kmsrc.example", EXAMPLE],
  ] as const) {
    it(`${name}: the encrypted_regex rule encrypts api_token and the other secret names, not port or url`, () => {
      const loaded = parseKmsrc(text, "/p/.kmsrc");
      assert.deepEqual([loaded.errors, loaded.warnings], [[], []]);
      const rule = loaded.config.rules.find((r) => r.crypt?.kind === "encrypted_regex");
      assert.ok(rule?.crypt);
      const policy = compilePolicy(rule.crypt);
      for (const key of ["password", "db_password", "api_token", "token", "secret", "secret_key", "key"]) assert.equal(policy.encrypts(["db", key]), true, key);
      for (const key of ["port", "url", "user", "keyboard", "tokenizer"]) assert.equal(policy.encrypts(["db", key]), false, key);
    });
  }

  it("README: the .env rule excludes committed templates, as init does", () => {
    const rule = parseKmsrc(readmeKmsrc(), "/p/.kmsrc").config.rules.find((r) => r.path.includes(".env"));
    assert.deepEqual(rule?.exclude, ["*.example", "*.sample", "*.template"]);
  });
});

describe("README and docs/cli.md: shell completion", () => {
  const CLI_DOC = readFileSync(fileURLToPath(new URL("docs/cli.md", ROOT)), "utf8");
  it("show the completion command's own examples as the install lines", () => {
    const lines = commandNamed("completion")!.examples.map(([line]) => line);
    assert.equal(lines.length, 3);
    const section = README.slice(README.indexOf("### Shell completion"));
    const block = /```sh\n([\s\S]*?)```/.exec(section);
    assert.ok(block, "the Shell completion section has a sh block");
    assert.deepEqual(
      block[1]!
        .trimEnd()
        .split("\n")
        .map((l) => l.replace(/\s+#.*$/, "")),
      lines,
    );
    const doc = /## `kmseal completion bash\|zsh\|fish`[\s\S]*?```sh\n([\s\S]*?)```/.exec(CLI_DOC);
    assert.ok(doc, "docs/cli.md has the completion section");
    assert.deepEqual(doc[1]!.trimEnd().split("\n"), lines);
  });
});
