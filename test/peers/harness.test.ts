import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findPeer, peerSuite } from "./harness/peers.js";
import { startLocalKms } from "./harness/local-kms.js";
import { survivingGroups } from "./harness/server-process.js";
import { runCommand } from "./harness/command.js";
import { REPO_ROOT } from "./harness/paths.js";
import { makeTempDir, removeTempDirs } from "./harness/temp-dirs.js";

const here = dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gone(pgid: number, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    if (survivingGroups([pgid]).length === 0) return true;
  }
  return false;
}

/** Runs one peer suite file in a child node test runner with no peers installed anywhere. */
function runWithoutPeers(required: boolean) {
  const env: Record<string, string> = { PATH: dirname(process.execPath), HOME: "/nonexistent", KMSEAL_PEERS_BIN: "/nonexistent/peers/bin" };
  if (required) env["KMSEAL_PEERS"] = "required";
  return runCommand(process.execPath, ["--test", "--test-reporter=spec", join(here, "sops-moto.test.js")], { env, cwd: REPO_ROOT, timeoutMs: 60_000 });
}

describe("peer availability", () => {
  it("skips a suite with one clear line when a peer is missing", async () => {
    const r = await runWithoutPeers(false);
    const out = r.stdout.toString() + r.stderr;
    assert.equal(r.code, 0, out);
    const line = "peers: skipped sops with the moto KMS emulator: moto_server not installed — run scripts/install-peers.sh";
    assert.ok(out.includes(line), out);
  });

  it("fails the suite under KMSEAL_PEERS=required when a peer is missing", async () => {
    const r = await runWithoutPeers(true);
    const out = r.stdout.toString() + r.stderr;
    assert.notEqual(r.code, 0, out);
    assert.match(out, /moto_server not installed/);
  });
});

peerSuite("peer server processes", ["local-kms"], (bin) => {
  after(removeTempDirs);

  it("stops the whole process group of a server", async () => {
    const server = await startLocalKms(bin["local-kms"]);
    assert.equal(survivingGroups([server.pgid]).length, 1);
    await server.stop();
    assert.equal(await gone(server.pgid, 2000), true);
  });

  it("takes the servers down when the test process is killed with SIGKILL", async () => {
    assert.ok("path" in findPeer("local-kms"));
    const script = [
      `import { startLocalKms } from ${JSON.stringify(join(here, "harness", "local-kms.js"))};`,
      `const s = await startLocalKms(${JSON.stringify(bin["local-kms"])});`,
      "process.stdout.write(`pgid ${s.pgid}\\n`);",
      "setInterval(() => {}, 1000);",
    ].join("\n");
    // The child's temp dirs go below one of ours, so they are removed although it cannot clean up.
    const env = { ...process.env, TMPDIR: makeTempDir("sigkill") };
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"], env });
    let pgid = 0;
    try {
      pgid = await new Promise<number>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (b: Buffer) => {
          text += b.toString();
          const m = /pgid (\d+)/.exec(text);
          if (m) resolve(Number(m[1]));
        });
        child.on("exit", () => {
          reject(new Error("the child exited before starting local-kms"));
        });
      });
      assert.equal(survivingGroups([pgid]).length, 1);
      child.kill("SIGKILL");
      assert.equal(await gone(pgid, 5000), true, "the server outlived its SIGKILLed parent");
    } finally {
      child.kill("SIGKILL");
      if (pgid > 0 && survivingGroups([pgid]).length > 0) process.kill(-pgid, "SIGKILL");
    }
  });
});
