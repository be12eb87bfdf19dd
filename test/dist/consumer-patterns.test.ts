/**
 * The exact bytes other sops consumers detect a sops file by. Flux's kustomize-controller,
 * helm-secrets and the VS Code sops extension do not parse the metadata: they look for these
 * patterns, so a kmseal file that parses fine but misses one is silently left encrypted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { encryptText, keyServices } from "../../src/index.js";
import { FAKE_ARN, fakeKms } from "../helpers/fake-kms.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";

fakeKms();
const services = keyServices({ env: { KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, HOME: "/nonexistent-home", AWS_REGION: "us-east-1" }, notice: () => undefined });
const SECOND_ARN = FAKE_ARN.replace("0f0f0f0f", "1e1e1e1e");
const keys = { kms: [FAKE_ARN, SECOND_ARN], age: [TEST_AGE_RECIPIENT] };

const seal = (path: string, text: string) => encryptText(text, { path, ...keys }, services);
const yaml = () => seal("config/app.enc.yaml", "db:\n  password: s3cret # c\nlist:\n  - a\n  - b\n");
const json = () => seal("config/app.enc.json", '{\n  "db": { "password": "s3cret" },\n  "n": 1\n}\n');
const dotenv = () => seal("config/app.enc.env", "TOKEN=s3cret\n# c\nPORT=80\n");

/** Go's time.RFC3339 of a UTC time.Time: seconds, no fraction, `Z`. */
const GO_RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("consumer detection patterns", () => {
  it("Flux: YAML has an unquoted `mac: ENC[` in the sops block", async () => {
    const text = await yaml();
    assert.match(text, /^ {4}mac: ENC\[AES256_GCM,data:[^\]\n]+,iv:[^\]\n]+,tag:[^\]\n]+,type:str\]$/m);
    assert.doesNotMatch(text, /mac: ["']ENC\[/);
  });

  it('Flux: JSON is indented and has `"mac": "ENC[`', async () => {
    const text = await json();
    assert.match(text, /^\s+"mac": "ENC\[AES256_GCM,[^"\n]+\]",?$/m);
    assert.match(text, /^\{\n\t|^\{\n {2,}/, "indented, not one line");
  });

  it("Flux: dotenv has `sops_mac=ENC[`", async () => {
    assert.match(await dotenv(), /^sops_mac=ENC\[AES256_GCM,[^\n]+\]$/m);
  });

  it("helm-secrets: a line that is exactly `sops:` and the mac on one line", async () => {
    const lines = (await yaml()).split("\n");
    assert.equal(lines.filter((l) => l === "sops:").length, 1);
    const mac = lines.filter((l) => /^\s+mac:/.test(l));
    assert.equal(mac.length, 1);
    assert.match(mac[0]!, /^ {4}mac: ENC\[.*\]$/);
  });

  for (const [name, make, meta] of [
    ["YAML", yaml, (t: string) => (parseYaml(t) as { sops: Record<string, unknown> }).sops],
    ["JSON", json, (t: string) => (JSON.parse(t) as { sops: Record<string, unknown> }).sops],
  ] as const) {
    it(`${name}: sops.version is a three-part string, lastmodified is Go's RFC 3339, every kms entry has aws_profile ""`, async () => {
      const text = await make();
      const sops = meta(text);
      // The VS Code extension treats the file as sops only when version is a string.
      assert.equal(typeof sops["version"], "string");
      assert.match(sops["version"] as string, /^3\.\d+\.\d+$/);
      assert.equal(typeof sops["lastmodified"], "string");
      assert.match(sops["lastmodified"] as string, GO_RFC3339_UTC);
      const kms = sops["kms"] as Array<Record<string, unknown>>;
      assert.equal(kms.length, 2);
      for (const entry of kms) {
        assert.equal(entry["aws_profile"], "");
        assert.match(entry["created_at"] as string, GO_RFC3339_UTC);
      }
    });
  }

  it("YAML: the version is a scalar YAML reads as a string, and aws_profile is written as \"\"", async () => {
    const text = await yaml();
    assert.match(text, /^ {4}version: (?:"3\.\d+\.\d+"|'3\.\d+\.\d+'|3\.\d+\.\d+)$/m);
    assert.equal(text.match(/^ +aws_profile: ""$/gm)?.length, 2);
  });

  it('dotenv: sops_version is three-part, sops_lastmodified is Go\'s RFC 3339, every kms entry has aws_profile=""', async () => {
    const text = await dotenv();
    assert.match(text, /^sops_version=3\.\d+\.\d+$/m);
    const modified = /^sops_lastmodified=(.*)$/m.exec(text)?.[1];
    assert.match(modified ?? "", GO_RFC3339_UTC);
    assert.equal(text.match(/^sops_kms__list_\d+__map_aws_profile=$/gm)?.length, 2);
  });
});
