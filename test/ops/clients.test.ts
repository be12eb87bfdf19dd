import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kmsClients } from "../../src/ops/clients.js";
import { keyServices } from "../../src/ops/key-services.js";
import { keySourcesFor } from "../../src/ops/keys-for.js";

describe("kmsClients", () => {
  it("asks a synchronous wiring once, on first use, and reads its region", () => {
    let asked = 0;
    const clients = kmsClients({ env: {}, wiring: () => (asked++, { region: "eu-west-3" }) });
    assert.equal(asked, 0);
    assert.equal(clients.defaultRegion, "eu-west-3");
    assert.equal(clients.defaultRegion, "eu-west-3");
    assert.equal(asked, 1);
  });

  it("loads an asynchronous wiring once, and refuses to guess the region before it is ready", async () => {
    let asked = 0;
    const clients = kmsClients({ env: { AWS_REGION: "us-east-1" }, wiring: async () => (asked++, { region: "ap-south-1" }) });
    assert.throws(() => clients.defaultRegion, /before they were loaded/);
    await Promise.all([clients.ready(), clients.ready()]);
    assert.equal(clients.defaultRegion, "ap-south-1");
    assert.equal(asked, 1);
  });

  it("prefers an explicit region without asking the wiring", () => {
    const clients = kmsClients({ env: {}, region: "sa-east-1", wiring: async () => ({ region: "never" }) });
    assert.equal(clients.defaultRegion, "sa-east-1");
  });
});

describe("keySourcesFor with an asynchronous wiring", () => {
  it("loads the AWS settings before building KMS key sources, so key ids resolve to the configured region", async () => {
    let loaded = false;
    const services = keyServices({ env: {}, notice: () => {}, wiring: async () => ((loaded = true), { region: "eu-north-1" }) });
    const [key] = await keySourcesFor({ kms: ["alias/app"] }, undefined, { file: "a.enc.yaml" }, services);
    assert.equal(loaded, true);
    assert.equal(key?.type, "kms");
    assert.equal(services.kms.defaultRegion, "eu-north-1");
  });

  it("does not load them for age-only files", async () => {
    let loaded = false;
    const services = keyServices({ env: {}, notice: () => {}, wiring: async () => ((loaded = true), {}) });
    await keySourcesFor({ age: ["age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh"] }, undefined, {}, services);
    assert.equal(loaded, false);
  });
});
