/**
 * action.yml's steps, run as the GitHub runner runs a composite action: each step's `run` in
 * `bash --noprofile --norc -eo pipefail`, its `env:` and `if:` evaluated from the inputs, and
 * GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT applied between steps. The job's OIDC token comes from a
 * local stand-in for GitHub's ID-token endpoint; moto's STS exchanges it (AssumeRoleWithWebIdentity)
 * and moto's KMS decrypts. The action is installed from a fresh copy of the repository, no dist/.
 */
import { homedir } from "node:os";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { peerSuite } from "./harness/peers.js";
import { useMoto } from "./harness/lifecycle.js";
import { createKey } from "./harness/kms-keys.js";
import { env as peerEnv } from "./harness/peer-env.js";
import { makeProject } from "./harness/project.js";
import { describeResult, kmseal } from "./harness/command.js";
import { removeTempDirs, sourceClone, tempDir, REPO_ROOT } from "../dist/install.js";

after(removeTempDirs);

interface Step {
  name: string;
  id?: string;
  if?: string;
  shell: string;
  run: string;
  /** YAML scalars: a value such as `1` or `true` parses as a number or boolean. */
  env?: Record<string, string | number | boolean>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as Action;

/** `${{ inputs.name }}` is the only expression the action uses in values; anything else fails the test. */
function expand(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^inputs\.([\w-]+)$/.exec(expr);
    if (!m || !(m[1]! in inputs)) throw new Error(`unsupported expression in action.yml: ${expr}`);
    return inputs[m[1]!]!;
  });
}
function condition(expr: string, inputs: Record<string, string>): boolean {
  const m = /^inputs\.([\w-]+) != ''$/.exec(expr.trim());
  if (!m) throw new Error(`unsupported if: in action.yml: ${expr}`);
  return (inputs[m[1]!] ?? "") !== "";
}

/** KEY=VALUE and KEY<<DELIM … DELIM lines, as the runner reads GITHUB_ENV and GITHUB_OUTPUT. */
function readCommandFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i]!);
      out[heredoc[1]!] = body.join("\n");
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
  outputs: Record<string, string>;
}

/** Like spawnSync, but leaves the event loop free: the ID-token stand-in answers from this process. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

async function runAction(actionPath: string, withInputs: Record<string, string>, base: NodeJS.ProcessEnv, workspace: string): Promise<RunResult> {
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = withInputs[name] ?? spec.default ?? "";
  const runnerTemp = tempDir("kmseal-runner-");
  const files = { GITHUB_ENV: join(runnerTemp, "env"), GITHUB_PATH: join(runnerTemp, "path"), GITHUB_OUTPUT: join(runnerTemp, "output") };
  let jobEnv: NodeJS.ProcessEnv = {
    ...base,
    GITHUB_ACTIONS: "true",
    CI: "true",
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_RUN_ID: "42",
    GITHUB_RUN_ATTEMPT: "1",
    ...files,
  };
  const extraPath: string[] = [];
  let stdout = "";
  let stderr = "";
  let outputs: Record<string, string> = {};
  for (const step of action.runs.steps) {
    if (step.if !== undefined && !condition(step.if, inputs)) continue;
    assert.equal(step.shell, "bash");
    for (const f of Object.values(files)) writeFileSync(f, "");
    const stepEnv: NodeJS.ProcessEnv = { ...jobEnv, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), inputs)])) };
    stepEnv["PATH"] = [...extraPath, jobEnv["PATH"] ?? ""].join(":");
    const script = join(runnerTemp, `step-${step.name.replace(/\W+/g, "-")}.sh`);
    writeFileSync(script, expand(step.run, inputs));
    const cwd = join(workspace, expand(step["working-directory"] ?? ".", inputs));
    const r = await bash(script, cwd, stepEnv);
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.status !== 0) return { stdout, stderr, status: r.status ?? 1, outputs };
    jobEnv = { ...jobEnv, ...readCommandFile(files.GITHUB_ENV) };
    extraPath.unshift(
      ...readFileSync(files.GITHUB_PATH, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .reverse(),
    );
    if (step.id !== undefined) outputs = { ...outputs, ...readCommandFile(files.GITHUB_OUTPUT) };
  }
  return { stdout, stderr, status: 0, outputs };
}

peerSuite("GitHub Action (action.yml) with OIDC credentials", ["moto_server"], (bin) => {
  const moto = useMoto(bin.moto_server);
  const tokenRequests: Array<{ url: string; auth: string | undefined }> = [];
  const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2lnbmF0dXJl";
  let server: Server;
  let tokenUrl = "";
  let actionPath = "";

  before(async () => {
    server = createServer((req, res) => {
      tokenRequests.push({ url: req.url ?? "", auth: req.headers.authorization });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ value: OIDC_TOKEN }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    tokenUrl = `http://127.0.0.1:${address.port}/_apis/idtoken?api-version=2.0`;
    actionPath = sourceClone();
  });
  after(
    () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  );

  /** The job's environment: moto's endpoints, no AWS keys (they must come from the OIDC role), an OIDC token endpoint. */
  function jobEnv(): NodeJS.ProcessEnv {
    const e: NodeJS.ProcessEnv = { ...peerEnv(moto()) };
    delete e["AWS_ACCESS_KEY_ID"];
    delete e["AWS_SECRET_ACCESS_KEY"];
    e["ACTIONS_ID_TOKEN_REQUEST_URL"] = tokenUrl;
    e["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "runner-request-token";
    // The action's `npm ci` runs with the peers' temporary HOME; the packages come from this
    // machine's npm cache (filled by the repository's own `npm ci`), since CI has loopback only.
    e["npm_config_cache"] = process.env["npm_config_cache"] ?? join(homedir(), ".npm");
    e["npm_config_prefer_offline"] = "true";
    return e;
  }

  it("decrypt --all: installs from source, assumes the role with the job's token, writes the files, masks every value", async () => {
    const key = await createKey(moto());
    const project = makeProject(`rules:\n  - path: "config/**"\n    kms: [${key.arn}]\n`);
    project.write("config/app.yaml", "db:\n  user: admin\n  password: s3cret-1\nlines: |\n  first-line-secret\n  second-line-secret\n");
    project.write("config/.env", "API_TOKEN=tok-2\n");
    const enc = await kmseal(["encrypt", "--all"], { env: peerEnv(moto()), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt --all", enc));
    spawnSync("rm", [project.path("config/app.yaml"), project.path("config/.env")]);
    const before = (await moto().recorded()).length;

    const r = await runAction(
      actionPath,
      { "role-to-assume": "arn:aws:iam::123456789012:role/ci-secrets-reader", "aws-region": "us-east-1" },
      jobEnv(),
      project.dir,
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(project.read("config/app.yaml").toString(), "db:\n  user: admin\n  password: s3cret-1\nlines: |\n  first-line-secret\n  second-line-secret\n");
    assert.equal(project.read("config/.env").toString(), "API_TOKEN=tok-2\n");
    assert.deepEqual(r.outputs["files"]?.split("\n").sort(), ["config/.env", "config/app.yaml"]);
    for (const v of ["admin", "s3cret-1", "first-line-secret", "second-line-secret", "tok-2", OIDC_TOKEN])
      assert.match(r.stdout, new RegExp(`^::add-mask::${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"), `${v} is masked`);
    for (const v of ["s3cret-1", "tok-2", "first-line-secret"]) assert.doesNotMatch(r.stderr, new RegExp(v), "no value on stderr");

    assert.equal(tokenRequests.length, 1);
    assert.match(tokenRequests[0]!.url, /[?&]audience=sts\.amazonaws\.com(&|$)/);
    assert.equal(tokenRequests[0]!.auth, "bearer runner-request-token");
    const calls = (await moto().recorded()).slice(before);
    const assume = calls.filter((c) => c.action === "AssumeRoleWithWebIdentity");
    assert.equal(assume.length, 1, "one role session from the OIDC token");
    assert.equal(assume[0]!.params["WebIdentityToken"], OIDC_TOKEN);
    assert.equal(assume[0]!.params["RoleArn"], "arn:aws:iam::123456789012:role/ci-secrets-reader");
    const decrypts = calls.filter((c) => c.kmsOperation === "Decrypt");
    assert.equal(decrypts.length, 2, "one KMS Decrypt per file: the masking reads the written files");
    for (const d of decrypts) assert.notEqual(d.sessionToken, undefined, "signed with the assumed role's session");
  });

  it("exec: runs the command with the values in its environment, masked before it starts, nothing written", async () => {
    const key = await createKey(moto());
    const project = makeProject(`rules:\n  - path: "*.env"\n    kms: [${key.arn}]\n`);
    project.write("prod.env", "DEPLOY_TOKEN=dep-3\n");
    const enc = await kmseal(["encrypt", "prod.env"], { env: peerEnv(moto()), cwd: project.dir });
    assert.equal(enc.code, 0, describeResult("kmseal encrypt", enc));
    spawnSync("rm", [project.path("prod.env")]);
    const r = await runAction(
      actionPath,
      { command: "exec", files: "prod.env.enc", run: 'echo "token is $DEPLOY_TOKEN"', "role-to-assume": "arn:aws:iam::123456789012:role/deployer" },
      jobEnv(),
      project.dir,
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const mask = r.stdout.indexOf("::add-mask::dep-3\n");
    const used = r.stdout.indexOf("token is dep-3\n");
    assert.ok(mask >= 0 && used > mask, r.stdout);
    assert.equal(project.exists("prod.env"), false);
  });
});
