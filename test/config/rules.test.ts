import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseKmsrc } from "../../src/config/kmsrc.js";
import { ruleFor } from "../../src/config/rules.js";

const config = (text: string) => {
  const loaded = parseKmsrc(text, "/p/.kmsrc");
  assert.deepEqual([loaded.errors, loaded.warnings], [[], []]);
  return loaded.config;
};

describe("rule exclusions", () => {
  const c = config(
    [
      "rules:",
      '  - path: "**/{.env,.env.*}"',
      '    exclude: ["*.example", "deploy/.env.ci"]',
      "    age: [age1a]",
      '  - path: "**/.env.example"',
      "    age: [age1b]",
      "",
    ].join("\n"),
  );

  it("leaves an excluded file, and its encrypted name, to the next rule", () => {
    assert.equal(ruleFor(c, "/p/.env.prod")?.age[0], "age1a");
    assert.equal(ruleFor(c, "/p/app/.env.prod.enc")?.age[0], "age1a");
    assert.equal(ruleFor(c, "/p/app/.env.example")?.age[0], "age1b");
    assert.equal(ruleFor(c, "/p/.env.example.enc")?.age[0], "age1b");
  });

  it("anchors an exclusion with a slash to the project root", () => {
    assert.equal(ruleFor(c, "/p/deploy/.env.ci"), undefined);
    assert.equal(ruleFor(c, "/p/other/deploy/.env.ci")?.age[0], "age1a");
  });

  it("takes one comma-separated string too, and rejects negations and empty globs", () => {
    assert.deepEqual(config('rules: [{ path: "a/**", exclude: "*.sample, *.template" }]').rules[0]!.exclude, ["*.sample", "*.template"]);
    assert.match(parseKmsrc('rules: [{ path: "a/**", exclude: ["!x"] }]', "/p/.kmsrc").errors.join(), /rules\[0\]\.exclude: expected globs/);
  });
});

describe("rule globs over unusual names", () => {
  const c = config(
    ["rules:", '  - path: "secrets/**"', "    age: [age1s]", '  - path: "**/{.env,.env.*}"', '    exclude: ["*.example"]', "    age: [age1e]", ""].join("\n"),
  );

  it("match a newline, a tab or a byte that is not UTF-8 (a lone surrogate) like any other character but `/`", () => {
    for (const name of ["secrets/a\nb", "secrets/d\ne/f.yaml", "secrets/\udcff.env", "secrets/x\r\t\u007f", "secrets/a\nb.enc.yaml"])
      assert.equal(ruleFor(c, `/p/${name}`)?.age[0], "age1s", JSON.stringify(name));
    for (const name of ["a\nb/.env.prod", ".env.\n", "\udc80/.env.x\ny", "d\ne/.env.prod.enc"])
      assert.equal(ruleFor(c, `/p/${name}`)?.age[0], "age1e", JSON.stringify(name));
  });

  it("exclude names with a newline too", () => {
    assert.equal(ruleFor(c, "/p/x/.env.a\nb.example"), undefined);
    assert.equal(ruleFor(c, "/p/secretsx/a\nb"), undefined);
  });
});
