import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/core/errors.js";
import { parseKmsrc } from "../../src/config/kmsrc.js";
import { projectOf } from "../../src/config/project.js";
import { ruleFor, ruleLabel } from "../../src/config/rules.js";
import { parseSopsYaml, sopsNotes } from "../../src/config/sops-yaml.js";
import { testdir } from "../helpers/testdir.js";

const A1 = "age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh";
const A2 = "age1qu5u6sdptdet80uya9xt53g6xjhcw5tczuht0hu8pl4eav78ac6sjxalj3";
const KMS1 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const KMS2 = "arn:aws:kms:us-east-1:111122223333:key/66666666-7777-8888-9999-000000000000";
const ROLE = "arn:aws:iam::111122223333:role/sops-prod";

const parse = (text: string) => {
  const c = parseSopsYaml(text, "/p/.sops.yaml");
  assert.ok(c !== null);
  return c;
};

/** The kind of file a team with prod/dev folders and a Helm chart commits (after sops's README). */
const TEAM = `
# prod secrets: KMS in two regions, one of them through a role, plus the break-glass age key
creation_rules:
  - path_regex: ^environments/prod/.*\\.ya?ml$
    kms: "${KMS1}+${ROLE}, ${KMS2}"
    aws_profile: prod-admin
    age: ${A1}
    encrypted_regex: ^(data|stringData|password|token)$
  - path_regex: \\.env(\\..+)?$
    age: [${A1}, ${A2}]
    mac_only_encrypted: true
  - path_regex: charts/.*/secrets\\.yaml$
    key_groups:
      - kms:
          - arn: ${KMS1}
            role: ${ROLE}
            context: { app: billing, tier: prod }
            aws_profile: charts
        age:
          - ${A2}
    unencrypted_suffix: _plain
  - age: ${A2}
stores:
  yaml:
    indent: 2
`;

describe(".sops.yaml creation rules", () => {
  const c = parse(TEAM);

  it("reads kms with +role and aws_profile, age as a string or a list, and one crypt rule per rule", () => {
    assert.equal(c.format, "sops");
    assert.equal(c.root, "/p");
    const [prod, env, chart, rest] = c.rules;
    assert.deepEqual(prod!.kms, [KMS1, KMS2]);
    assert.deepEqual(prod!.kmsKeys, [
      { arn: KMS1, role: ROLE, awsProfile: "prod-admin", context: undefined },
      { arn: KMS2, role: undefined, awsProfile: "prod-admin", context: undefined },
    ]);
    assert.deepEqual(prod!.age, [A1]);
    assert.deepEqual(prod!.crypt, { kind: "encrypted_regex", value: "^(data|stringData|password|token)$" });
    assert.deepEqual(env!.age, [A1, A2]);
    assert.equal(env!.macOnlyEncrypted, true);
    assert.equal(env!.crypt, undefined);
    assert.deepEqual(chart!.kmsKeys, [{ arn: KMS1, role: ROLE, awsProfile: "charts", context: { app: "billing", tier: "prod" } }]);
    assert.deepEqual(chart!.age, [A2]);
    assert.deepEqual(chart!.crypt, { kind: "unencrypted_suffix", value: "_plain" });
    assert.equal(rest!.pathRegex, "");
    assert.deepEqual(rest!.age, [A2]);
    assert.ok(c.rules.every((r) => r.refusal === undefined));
  });

  it("matches the first rule whose path_regex is found in the path relative to the .sops.yaml folder", () => {
    assert.equal(ruleFor(c, "/p/environments/prod/db.yaml"), c.rules[0]);
    assert.equal(ruleFor(c, "/p/environments/prod/db.enc.yaml"), c.rules[0]);
    // `^` anchors at the config folder: the same folder deeper down is not prod.
    assert.equal(ruleFor(c, "/p/x/environments/prod/db.yaml"), c.rules[3]);
    assert.equal(ruleFor(c, "/p/svc/.env.prod"), c.rules[1]);
    assert.equal(ruleFor(c, "/p/charts/billing/secrets.yaml"), c.rules[2]);
    assert.equal(ruleFor(c, "/p/README.md"), c.rules[3]);
    assert.equal(ruleFor(c, "/elsewhere/a.yaml"), undefined);
  });

  it("tries the encrypted name too, for rules written for files sops encrypts in place", () => {
    const e = parse(`creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${A1}\n  - age: ${A2}\n`);
    assert.equal(ruleFor(e, "/p/a/app.yaml"), e.rules[0]);
    assert.equal(ruleFor(e, "/p/a/app.enc.yaml"), e.rules[0]);
    assert.equal(ruleFor(e, "/p/a/.env"), e.rules[1]);
  });

  it("labels rules by where they are", () => {
    assert.equal(ruleLabel(c.rules[0]!), '.sops.yaml creation_rules[0] path_regex "^environments/prod/.*\\.ya?ml$"');
    assert.equal(ruleLabel(c.rules[3]!), ".sops.yaml creation_rules[3] (no path_regex: every file)");
  });

  it("notes what kmseal reads but does not apply", () => {
    assert.deepEqual(
      sopsNotes(c).map((n) => n.text),
      ["stores: (output indentation) is not applied: kmseal keeps the file's own layout"],
    );
  });

  it("takes a file without creation_rules as no config, as sops does", () => {
    assert.equal(parseSopsYaml("stores:\n  yaml:\n    indent: 4\n", "/p/.sops.yaml"), null);
    assert.equal(parseSopsYaml("", "/p/.sops.yaml"), null);
  });

  it("keeps rules kmseal cannot honour, with the reason, for when a file matches them", () => {
    const r = parse(
      [
        "creation_rules:",
        "  - path_regex: pgp/.*",
        "    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4",
        "  - path_regex: shamir/.*",
        "    shamir_threshold: 2",
        "    key_groups:",
        `      - age: [${A1}]`,
        `      - age: [${A2}]`,
        "  - path_regex: comments/.*",
        `    age: ${A1}`,
        "    encrypted_comment_regex: sops:enc",
        "  - path_regex: vault/.*",
        "    key_groups:",
        "      - hc_vault: [https://vault.example.com:8200/v1/sops/keys/k]",
        `        age: [${A1}]`,
        `  - age: ${A1}`,
        "",
      ].join("\n"),
    ).rules;
    assert.match(r[0]!.refusal!, /creation_rules\[0\] cannot be used by kmseal: it names PGP keys \(pgp\)/);
    assert.match(r[1]!.refusal!, /2 key_groups: kmseal has no Shamir secret sharing/);
    assert.match(r[1]!.refusal!, /shamir_threshold is 2/);
    assert.match(r[2]!.refusal!, /encrypted_comment_regex .* is not implemented/);
    assert.match(r[3]!.refusal!, /key_groups\[0\] names HashiCorp Vault keys \(hc_vault\)/);
    assert.equal(r[4]!.refusal, undefined);
  });

  it("merges key groups listed under merge:", () => {
    const m = parse(`creation_rules:\n  - key_groups:\n      - merge:\n          - age: [${A1}]\n          - kms: [{ arn: ${KMS2} }]\n        age: ["${A2}"]\n`)
      .rules[0]!;
    assert.deepEqual(m.age, [A1, A2]);
    assert.deepEqual(m.kms, [KMS2]);
    assert.deepEqual(m.kmsKeys![0]!.context, {});
  });

  it("refuses a malformed file with the line and column", () => {
    const at = (text: string) => {
      try {
        parseSopsYaml(text, "/p/.sops.yaml", ".sops.yaml");
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return `${err.location} ${err.reason}`;
      }
      assert.fail("expected an error");
    };
    assert.match(at("creation_rules:\n  - path_regex: a(\n    age: x\n"), /^\.sops\.yaml:2:5 .*creation_rules\[0\]\.path_regex: "a\(" is not a valid RE2/);
    assert.match(at("creation_rules:\n  - age: x\n    encrypted_regex: a\n    unencrypted_suffix: b\n"), /^\.sops\.yaml:4:5 .*at most one of/);
    assert.match(at("creation_rules: {}\n"), /^\.sops\.yaml:1:1 creation_rules: expected a list/);
    assert.match(
      at(`creation_rules:\n  - key_groups:\n      - kms:\n          - arn: ${KMS1}\n            context: { n: 1 }\n`),
      /^\.sops\.yaml:5:\d+ .*context\.n: expected a string \(sops would drop the whole context\)/,
    );
    assert.match(at("creation_rules:\n  - age: [1]\n"), /^\.sops\.yaml:2:\d+ .*age: expected a string or a list of strings/);
  });
});

describe("finding the config", () => {
  it("uses .kmsrc when there is one, else the nearest .sops.yaml with creation rules, from the file's folder up", () => {
    const dir = testdir({ ".sops.yaml": `creation_rules:\n  - age: ${A1}\n`, "a/b/s.yaml": "k: v\n" });
    const p = projectOf(join(dir, "a/b/s.yaml"));
    assert.equal(p.root, dir);
    assert.equal(p.config?.format, "sops");
    writeFileSync(join(dir, "a", ".kmsrc"), `rules: [{ path: "**", age: [${A2}] }]\n`);
    mkdirSync(join(dir, "a", "c"));
    const q = projectOf(join(dir, "a/c/s.yaml"));
    assert.equal(q.root, join(dir, "a"));
    assert.equal(q.config?.format, undefined);
  });

  it("reads --config .sops.yaml as sops's file", () => {
    const dir = testdir({ "conf/.sops.yaml": `creation_rules:\n  - path_regex: ^x/\n    age: ${A1}\n` });
    const p = projectOf(join(dir, "x/s.yaml"), join(dir, "conf/.sops.yaml"));
    assert.equal(p.config?.format, "sops");
    assert.equal(p.root, join(dir, "conf"));
  });

  it("ignores a .sops.yaml without creation rules, as sops does", () => {
    const dir = testdir({ ".sops.yaml": "destination_rules: []\n", "s.yaml": "k: v\n" });
    assert.equal(projectOf(join(dir, "s.yaml")).config, null);
  });
});

describe(".kmsrc path_regex", () => {
  it("takes a path_regex instead of a glob, not both, and checks it", () => {
    const ok = parseKmsrc(`rules:\n  - path_regex: "^secrets/.*\\\\.yaml$"\n    age: [${A1}]\n  - path_regex: ""\n    age: [${A2}]\n`, "/p/.kmsrc");
    assert.deepEqual([ok.errors, ok.warnings], [[], []]);
    assert.equal(ruleFor(ok.config, "/p/secrets/a.yaml"), ok.config.rules[0]);
    assert.equal(ruleFor(ok.config, "/p/other/secrets/a.yaml"), ok.config.rules[1]);
    assert.match(parseKmsrc('rules: [{ path: "a/**", path_regex: "a" }]', "/p/.kmsrc").errors.join(), /either path .* or path_regex/);
    assert.match(parseKmsrc('rules: [{ path_regex: "(" }]', "/p/.kmsrc").errors.join(), /path_regex: "\(" is not a valid RE2/);
  });
});
