/**
 * `kmseal completion`: the bash script is driven in a real bash (COMP_WORDS/COMP_CWORD set as
 * readline sets them, the function called, COMPREPLY printed); the zsh and fish scripts are checked
 * for syntax when those shells are installed, and against the tables for every command and flag.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { COMMANDS } from "../../src/cli/catalog.js";
import { GLOBAL_FLAGS } from "../../src/cli/flags.js";
import { FORMATS } from "../../src/stores/store.js";
import { CLI_MAIN, cleanEnv } from "../git/temp-repo.js";
import { cli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

const BUNDLE = join(process.cwd(), "dist", "kmseal.js");
const RECORDER = pathToFileURL(fileURLToPath(new URL("./load-recorder.js", import.meta.url))).href;

async function script(shell: string): Promise<string> {
  const r = await cli(["completion", shell]);
  assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 0, stderr: "" }, shell);
  return r.stdout;
}

function has(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"], { stdio: "ignore" }).status === 0;
}

/** Every word a flag can be typed as, straight from the tables. */
function forms(name: string, f: { kind: string; short?: string; default?: unknown }): string[] {
  return [`--${name}`, ...(f.kind === "boolean" && f.default === true ? [`--no-${name}`] : []), ...(f.short !== undefined ? [`-${f.short}`] : [])];
}

const bashFile = async (): Promise<string> => {
  const dir = testdir({ "app.yaml": "a: 1\n", ".env.prod": "A=1\n", "notes.txt": "x\n", "sub/inner.json": "{}\n" });
  const file = join(dir, "kmseal.bash");
  writeFileSync(file, await script("bash"));
  return file;
};

/** What the bash function offers for a command line; the last word is the one being completed. */
function complete(file: string, words: string[], cwd?: string): string[] {
  const line = words.join(" ");
  const program = [
    `source "$1"`,
    `shift`,
    `COMP_WORDS=("$@")`,
    `COMP_CWORD=$(( $# - 1 ))`,
    `COMP_LINE=${JSON.stringify(line)}`,
    `COMP_POINT=${line.length}`,
    `_kmseal kmseal "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"`,
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join("\n");
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program, "bash", file, ...words], { encoding: "utf8", ...(cwd !== undefined ? { cwd } : {}) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", words.join(" "));
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("kmseal completion bash", () => {
  it("is valid bash, needs no bash-completion helpers and never runs kmseal", async () => {
    const text = await script("bash");
    const r = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(text, /_init_completion|_get_comp_words_by_ref|_filedir/);
    assert.match(text, /^complete -F _kmseal kmseal$/m);
    assert.doesNotMatch(text.replace(/^#.*$/gm, ""), /\$\(\s*kmseal|`kmseal/, "no call of kmseal in the script");
  });

  it("completes command names and aliases at the first word, also after global options", async () => {
    const f = await bashFile();
    assert.deepEqual(complete(f, ["kmseal", "enc"]), ["encrypt"]);
    const r = complete(f, ["kmseal", "r"]);
    assert.ok(r.includes("rotate") && r.includes("run"), r.join(" "));
    assert.deepEqual(complete(f, ["kmseal", "--profile", "dev", "dec"]), ["decrypt"]);
    assert.deepEqual(complete(f, ["kmseal", ""]).sort(), COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]).sort());
  });

  it("completes long, negated and short flags of the command", async () => {
    const f = await bashFile();
    const r = complete(f, ["kmseal", "encrypt", "--in"]);
    assert.ok(r.includes("--in-place") && r.includes("--input-type"), r.join(" "));
    assert.deepEqual(complete(f, ["kmseal", "edit", "--no-"]).sort(), ["--no-input", "--no-retry"]);
    const shorts = complete(f, ["kmseal", "decrypt", "-"]);
    for (const s of ["-i", "-o", "-q", "-v", "-h"]) assert.ok(shorts.includes(s), s);
    for (const c of COMMANDS) {
      const offered = complete(f, ["kmseal", c.name, "-"]);
      for (const [name, flag] of Object.entries({ ...GLOBAL_FLAGS, ...c.flags }))
        for (const w of forms(name, flag)) assert.ok(offered.includes(w), `${c.name}: ${w} (${offered.join(" ")})`);
    }
  });

  it("completes the choices of flags and positionals", async () => {
    const f = await bashFile();
    assert.deepEqual(complete(f, ["kmseal", "decrypt", "--format", ""]), [...FORMATS]);
    assert.deepEqual(complete(f, ["kmseal", "decrypt", "--format", "=", "j"]), ["json"], "--format=j as bash splits it");
    assert.deepEqual(complete(f, ["kmseal", "decrypt", "--format=j"]), ["--format=json"], "--format=j when = is no word break");
    assert.deepEqual(complete(f, ["kmseal", "set", "f", "k", "--type", ""]), ["str", "int", "float", "bool", "json"]);
    assert.deepEqual(complete(f, ["kmseal", "completion", ""]), ["bash", "zsh", "fish"]);
    assert.deepEqual(complete(f, ["kmseal", "hook", "un"]), ["uninstall"]);
    assert.deepEqual(complete(f, ["kmseal", "hook", "install", ""]), [], "one ACTION only");
  });

  it("completes file names for FILE positionals and PATH flags, nothing for KEYPATH, files after --", async () => {
    const f = await bashFile();
    const dir = join(f, "..");
    const files = ["kmseal.bash", "app.yaml", ".env.prod", "notes.txt", "sub"];
    assert.deepEqual(complete(f, ["kmseal", "encrypt", ""], dir).sort(), [".env.prod", "app.yaml", "kmseal.bash", "notes.txt", "sub"]);
    assert.deepEqual(complete(f, ["kmseal", "encrypt", "a"], dir), ["app.yaml"]);
    assert.deepEqual(
      complete(f, ["kmseal", "encrypt", "."], dir).filter((w) => files.includes(w)),
      [".env.prod"],
    );
    assert.deepEqual(complete(f, ["kmseal", "decrypt", "-o", "n"], dir), ["notes.txt"]);
    assert.deepEqual(complete(f, ["kmseal", "--config", "n"], dir), ["notes.txt"]);
    assert.deepEqual(complete(f, ["kmseal", "get", "app.yaml", ""], dir), [], "KEYPATH");
    assert.deepEqual(complete(f, ["kmseal", "exec", "app.yaml", "--", "--"], dir), [], "no flags after --");
    assert.deepEqual(complete(f, ["kmseal", "exec", "app.yaml", "--", "n"], dir), ["notes.txt"]);
  });

  it("registers a spec that compgen drives", async () => {
    const f = await bashFile();
    const r = spawnSync(
      "bash",
      [
        "--norc",
        "--noprofile",
        "-c",
        `source "$1"; complete -p kmseal; COMP_WORDS=(kmseal rot); COMP_CWORD=1; compgen -F _kmseal kmseal 2>/dev/null`,
        "bash",
        f,
      ],
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^complete -F _kmseal kmseal$/m);
    assert.match(r.stdout, /^rotate$/m);
  });

  it("the bundle prints the same script", async (t) => {
    if (!existsSync(BUNDLE)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = spawnSync(process.execPath, [BUNDLE, "completion", shell], { encoding: "utf8" });
      assert.deepEqual({ status: r.status, stdout: r.stdout }, { status: 0, stdout: await script(shell) }, shell);
    }
  });
});

/** CI (`KMSEAL_PEERS=required`) installs zsh and fish, so there a missing shell fails instead of skipping. */
const shellsRequired = process.env["KMSEAL_PEERS"] === "required";

describe("kmseal completion zsh and fish", () => {
  for (const [shell, check] of [
    ["zsh", ["-n"]],
    ["fish", ["--no-execute"]],
  ] as const) {
    it(`${shell}: the script is valid ${shell}`, async (t) => {
      if (!has(shell)) {
        assert.ok(!shellsRequired, `${shell} is not installed, and KMSEAL_PEERS=required (.ci/run installs it)`);
        t.skip(`${shell} is not installed: syntax not checked (apt-get install ${shell})`);
        return;
      }
      const file = join(testdir({}), `kmseal.${shell}`);
      writeFileSync(file, await script(shell));
      const r = spawnSync(shell, [...check, file], { encoding: "utf8" });
      assert.deepEqual({ status: r.status, stderr: r.stderr }, { status: 0, stderr: "" });
    });
  }

  it("fish: drives the script with complete -C", async (t) => {
    if (!has("fish")) {
      assert.ok(!shellsRequired, "fish is not installed, and KMSEAL_PEERS=required (.ci/run installs it)");
      t.skip("fish is not installed: completions not driven (apt-get install fish)");
      return;
    }
    const dir = testdir({ "app.yaml": "a: 1\n", "notes.txt": "x\n" });
    writeFileSync(join(dir, "kmseal.fish"), await script("fish"));
    const offered = (line: string): string[] => {
      const r = spawnSync("fish", ["--no-config", "-c", `source kmseal.fish; complete -C ${JSON.stringify(line)}`], {
        cwd: dir,
        env: cleanEnv({ HOME: dir }),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("\t")[0]!);
    };
    assert.deepEqual(offered("kmseal enc"), ["encrypt"]);
    assert.deepEqual(offered("kmseal decrypt --format ").sort(), [...FORMATS].sort());
    assert.deepEqual(offered("kmseal completion ").sort(), ["bash", "fish", "zsh"]);
    assert.ok(offered("kmseal encrypt --in").includes("--in-place"));
    assert.deepEqual(offered("kmseal encrypt a"), ["app.yaml"]);
  });

  it("zsh: every command and alias is offered and each command's line names its flags and choices", async () => {
    const text = await script("zsh");
    assert.match(text, /^#compdef kmseal$/m);
    const globalLine = text.split("\n").find((l) => l.startsWith("  globals=("))!;
    for (const [name, f] of Object.entries(GLOBAL_FLAGS)) for (const w of forms(name, f)) assert.ok(globalLine.includes(`'${w}`), w);
    for (const c of COMMANDS) {
      const names = [c.name, ...(c.aliases ?? [])];
      for (const n of names) assert.ok(text.includes(`'${n}:`), `${n} in the command list`);
      const line = text.split("\n").find((l) => l.startsWith(`        ${names.join("|")}) _arguments`));
      assert.ok(line !== undefined, c.name);
      for (const [name, f] of Object.entries(c.flags)) {
        for (const w of forms(name, f)) assert.ok(line.includes(`'${w}`) || line.includes(`'*${w}`), `${c.name}: ${w}`);
        if (f.choices !== undefined) assert.ok(line.includes(`(${f.choices.join(" ")})`), `${c.name} --${name} choices`);
      }
      for (const p of c.positionals) if (p.choices !== undefined) assert.ok(line.includes(`(${p.choices.join(" ")})`), `${c.name} ${p.label}`);
    }
  });

  it("fish: every command and alias is offered and every flag completes under its command", async () => {
    const text = await script("fish");
    const lines = text.split("\n");
    for (const [name, f] of Object.entries(GLOBAL_FLAGS))
      assert.ok(
        lines.some((l) => l.startsWith(`complete -c kmseal -l ${name}${f.short !== undefined ? ` -s ${f.short}` : ""} `)),
        name,
      );
    for (const c of COMMANDS) {
      const names = [c.name, ...(c.aliases ?? [])];
      for (const n of names)
        assert.ok(
          lines.some((l) => l.startsWith(`complete -c kmseal -n __fish_use_subcommand -a ${n} `)),
          n,
        );
      const mine = lines.filter((l) => l.includes(`'__fish_seen_subcommand_from ${names.join(" ")}`));
      for (const [name, f] of Object.entries(c.flags)) {
        assert.ok(
          mine.some((l) => l.includes(` -l ${name}${f.short !== undefined ? ` -s ${f.short}` : ""} `)),
          `${c.name} --${name}`,
        );
        if (f.kind === "boolean" && f.default === true)
          assert.ok(
            mine.some((l) => l.includes(` -l no-${name} `)),
            `${c.name} --no-${name}`,
          );
        if (f.choices !== undefined)
          assert.ok(
            mine.some((l) => l.includes(` -l ${name}`) && l.includes(`-a '${f.choices!.join(" ")}'`)),
            `${c.name} --${name} choices`,
          );
      }
      for (const p of c.positionals)
        if (p.choices !== undefined)
          assert.ok(
            mine.some((l) => l.endsWith(`-a '${p.choices!.join(" ")}'`)),
            `${c.name} ${p.label}`,
          );
    }
  });
});

describe("kmseal completion usage", () => {
  it("refuses an unknown shell with exit 2, listing the choices", async () => {
    const r = await cli(["completion", "ksh"]);
    assert.deepEqual(
      { code: r.code, stdout: r.stdout, stderr: r.stderr },
      {
        code: 2,
        stdout: "",
        stderr: 'kmseal: SHELL must be one of bash, zsh, fish, not "ksh"\nusage: kmseal completion [options] bash|zsh|fish\n  more: kmseal completion --help\n',
      },
    );
    assert.equal((await cli(["completion"])).code, 2);
  });
});

describe("kmseal completion start-up", () => {
  it("loads the tables and the generator, no ops, keys or packages", () => {
    const dir = testdir({});
    const log = join(dir, "loaded.txt");
    const r = spawnSync(process.execPath, ["--import", RECORDER, CLI_MAIN, "completion", "bash"], {
      cwd: dir,
      env: cleanEnv({ HOME: dir, KMSEAL_LOAD_LOG: log }),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const urls = readFileSync(log, "utf8").split("\n");
    const src = urls.filter((u) => u.includes("/src/")).map((u) => u.replace(/.*\/src\//, ""));
    assert.ok(src.includes("cli/completion/bash.js"), src.join(" "));
    assert.deepEqual(
      src.filter((u) => /^(ops|keys|credentials|config|git)\//.test(u) || (u.startsWith("cli/commands/") && u !== "cli/commands/completion.js")),
      [],
    );
    assert.deepEqual(
      urls.filter((u) => u.includes("/node_modules/")),
      [],
    );
  });
});
