import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { awsSettingsFor, kmsClients } from "../../../src/ops/keys/aws.js";
import { keyServices } from "../../../src/ops/keys/services.js";
import { keySourcesFor } from "../../../src/ops/keys/choice.js";
import { testdir } from "../../helpers/testdir.js";

describe("kmsClients", () => {
  it("asks a synchronous wiring once, on first use, and reads its region", async () => {
    let asked = 0;
    const clients = kmsClients({ env: {}, wiring: () => (asked++, { region: "eu-west-3" }) });
    assert.equal(asked, 0);
    assert.equal(await clients.defaultRegion(), "eu-west-3");
    assert.equal(await clients.defaultRegion(), "eu-west-3");
    assert.equal(asked, 1);
  });

  it("loads an asynchronous wiring once, even when asked for the region twice at the same time", async () => {
    let asked = 0;
    const clients = kmsClients({ env: { AWS_REGION: "us-east-1" }, wiring: () => (asked++, Promise.resolve({ region: "ap-south-1" })) });
    assert.equal(asked, 0);
    assert.deepEqual(await Promise.all([clients.defaultRegion(), clients.defaultRegion()]), ["ap-south-1", "ap-south-1"]);
    assert.equal(asked, 1);
  });

  it("prefers an explicit region without asking the wiring", async () => {
    let asked = 0;
    const clients = kmsClients({ env: {}, region: "sa-east-1", wiring: () => (asked++, Promise.resolve({ region: "never" })) });
    assert.equal(await clients.defaultRegion(), "sa-east-1");
    assert.equal(asked, 0);
  });

  it("resolves `aws` settings from the .kmsrc on first use: the region of its aws: block", async () => {
    const dir = testdir({ ".kmsrc": "aws:\n  region: eu-central-2\nrules: []\n" });
    const env = { HOME: join(dir, "home") };
    const clients = kmsClients({ env, aws: { env, configPath: join(dir, ".kmsrc") } });
    assert.equal(await clients.defaultRegion(), "eu-central-2");
    assert.equal((await awsSettingsFor({ env, configPath: join(dir, ".kmsrc"), region: "us-west-2" })).region, "us-west-2", "--region wins");
  });
});

describe("keySourcesFor with an asynchronous wiring", () => {
  it("resolves KMS key ids to the configured region when wrapping, with no preparation step", async () => {
    let loaded = false;
    const regions: string[] = [];
    const services = keyServices({ env: {}, notice: () => {}, wiring: () => ((loaded = true), Promise.resolve({ region: "eu-north-1" })) });
    const kms = { ...services.kms, forRegion: async (region: string) => (regions.push(region), Promise.reject(new Error("no KMS in this test"))) };
    const [key] = await keySourcesFor({ kms: ["alias/app"] }, undefined, { file: "a.enc.yaml" }, { ...services, kms });
    assert.equal(key?.type, "kms");
    await assert.rejects(key.wrap(new Uint8Array(32)), /no KMS in this test/);
    assert.equal(loaded, true);
    assert.deepEqual(regions, ["eu-north-1"]);
  });

  it("does not load them for age-only files", async () => {
    let loaded = false;
    const services = keyServices({ env: {}, notice: () => {}, wiring: () => ((loaded = true), Promise.resolve({})) });
    await keySourcesFor({ age: ["age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh"] }, undefined, {}, services);
    assert.equal(loaded, false);
  });
});
