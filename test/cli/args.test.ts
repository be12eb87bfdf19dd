import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ArgvError, closest, parseArgs, type Args, type CommandSpec } from "../../src/cli/args.js";
import { COMMANDS, commandNamed } from "../../src/cli/catalog.js";
import { GLOBAL_FLAGS } from "../../src/cli/flags.js";
import { SET_TYPES } from "../../src/cli/specs/set.js";
import { FORMATS } from "../../src/stores/store.js";
import { VALUE_TYPES } from "../../src/stores/edit/typed.js";
import { CLI_MAIN, cleanEnv } from "../git/temp-repo.js";
import { cli } from "../helpers/cli.js";
import { TEST_AGE_IDENTITY, TEST_AGE_RECIPIENT } from "../helpers/keys.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = process.cwd();
const BUNDLE = join(ROOT, "dist", "kmseal.js");
/** The package's bin: the same start as BUNDLE, as a classic script. */
const BIN = join(ROOT, "dist", "kmseal.cjs");
const RECORDER = pathToFileURL(fileURLToPath(new URL("./load-recorder.js", import.meta.url))).href;

function spec(name: string): CommandSpec {
  const s = commandNamed(name);
  assert.ok(s !== undefined, name);
  return s;
}

function parse(line: string[]): Args {
  const [name, ...rest] = line;
  const parsed = parseArgs(spec(name!), rest, GLOBAL_FLAGS);
  assert.ok(!parsed.help, line.join(" "));
  return parsed.args;
}

function usageError(line: string[], message: RegExp): void {
  const [name, ...rest] = line;
  assert.throws(
    () => parseArgs(spec(name!), rest, GLOBAL_FLAGS),
    (e: unknown) => e instanceof ArgvError && e.code === "usage" && message.test(e.message) && e.usage === spec(name!).usage,
    line.join(" "),
  );
}

describe("parseArgs", () => {
  it("reads flags under their long names, with defaults, inline values, negation and combined short booleans", () => {
    assert.deepEqual(parse(["check", "--staged", "-q"]), { files: [], input: true, staged: true, quiet: true });
    assert.deepEqual(parse(["decrypt", "-o", "out.yaml", "--as=config/a.enc.yaml", "a.enc.yaml", "--no-input"]), {
      files: ["a.enc.yaml"],
      input: false,
      output: "out.yaml",
      as: "config/a.enc.yaml",
    });
    assert.deepEqual(parse(["decrypt", "-qv", "-oout.yaml", "--stdout=false", "a"]), {
      files: ["a"],
      input: true,
      quiet: true,
      verbose: true,
      output: "out.yaml",
      stdout: false,
    });
    assert.deepEqual(parse(["edit", "--no-retry", "a.enc.yaml"]), { file: "a.enc.yaml", input: true, retry: false });
    assert.deepEqual(parse(["edit", "a.enc.yaml"]), { file: "a.enc.yaml", input: true, retry: true });
    assert.deepEqual(parse(["set", "f", "k", "v"]), { file: "f", keypath: "k", value: "v", input: true, type: "str", "--": [] });
  });

  it("gives a repeatable flag exactly one value each time, never the positionals after it", () => {
    assert.deepEqual(parse(["encrypt", "--kms", "alias/a", "a.yaml", "--kms", "alias/b", "b.yaml", "--age", "age1x", "--context", "env=prod", "-"]), {
      files: ["a.yaml", "b.yaml", "-"],
      input: true,
      kms: ["alias/a", "alias/b"],
      age: ["age1x"],
      context: ["env=prod"],
    });
    assert.deepEqual(parse(["edit", "--kms", "alias/a", "new.enc.yaml"]), { file: "new.enc.yaml", input: true, retry: true, kms: ["alias/a"] });
    assert.deepEqual(parse(["init", "--path", "a/**", "--path", "b/**"]).path, ["a/**", "b/**"]);
  });

  it("keeps every value a string: nothing is read as a number", () => {
    assert.deepEqual(parse(["get", "f.enc.yaml", "0"]), { file: "f.enc.yaml", keypath: "0", input: true });
    assert.deepEqual(parse(["set", "f", "port", "0x10", "--type", "int"]).value, "0x10");
    assert.deepEqual(parse(["decrypt", "--as", "1e3", "007"]), { files: ["007"], input: true, as: "1e3" });
  });

  it("passes the words after -- verbatim to exec and set, and takes them as positionals elsewhere", () => {
    const words = ["printf", "[%s]", "-0", "1e3", "0x10", "1.50", "5.", "--", "--help", "-h", "--no-input"];
    assert.deepEqual(parse(["exec", "a.env.enc", "--shell", "--", ...words]), { files: ["a.env.enc"], input: true, shell: true, "--": words });
    assert.deepEqual(parse(["set", "f", "k", "--", "1.50"]), { file: "f", keypath: "k", input: true, type: "str", "--": ["1.50"] });
    assert.deepEqual(parse(["set", "f", "k", "--", "-5"])["--"], ["-5"]);
    assert.deepEqual(parse(["decrypt", "--stdout", "--", "-odd.enc.yaml", "--all"]), { files: ["-odd.enc.yaml", "--all"], input: true, stdout: true });
    assert.deepEqual(parse(["exec", "a.env.enc"])["--"], []);
  });

  it("asks for help on -h or --help before --, even next to mistakes", () => {
    assert.deepEqual(parseArgs(spec("decrypt"), ["--bogus", "--help"], GLOBAL_FLAGS), { help: true });
    assert.deepEqual(parseArgs(spec("get"), ["-h"], GLOBAL_FLAGS), { help: true });
    assert.equal(parseArgs(spec("exec"), ["f", "--", "cmd", "--help"], GLOBAL_FLAGS).help, false);
  });

  it("refuses what the table does not allow, naming the problem and carrying the command's usage", () => {
    usageError(["decrypt", "--forse", "a"], /^unknown option --forse \(did you mean --force\?\)$/);
    usageError(["decrypt", "--stdout=yes", "a"], /--stdout takes no value/);
    usageError(["decrypt", "-x", "a"], /^unknown option -x; a value that starts with - goes after --$/);
    usageError(["decrypt", "-o"], /^-o needs a value$/);
    usageError(["decrypt", "--output"], /^--output needs a value$/);
    usageError(["decrypt", "-o", "--stdout", "a"], /^-o needs a value; write one that starts with - as --output=VALUE$/);
    usageError(["decrypt", "-o", "x", "-o", "y", "a"], /^-o is given twice$/);
    usageError(["decrypt", "--format", "toml", "a"], /^--format must be one of yaml, json, dotenv, binary, not "toml"$/);
    usageError(["set", "f", "k", "v", "--type", "number"], /^--type must be one of str, int, float, bool, json/);
    usageError(["hook", "instal"], /^ACTION must be one of install, uninstall, not "instal"$/);
    usageError(["mv", "a"], /^mv needs DST$/);
    usageError(["mv"], /^mv needs SRC and DST$/);
    usageError(["get"], /^get needs FILE and KEYPATH$/);
    usageError(["get", "f"], /^get needs KEYPATH$/);
    usageError(["exec", "--", "true"], /^exec needs FILE\.\.\.$/);
    usageError(["encrypt", "--no-kms", "a"], /^unknown option --no-kms$/);
    usageError(["check", "--all"], /^unknown option --all$/);
  });

  it("never echoes a mistyped value or an extra word (they may be secrets)", () => {
    usageError(["set", "f", "k", "-s3cret"], /^unknown option -s; a value that starts with - goes after --$/);
    usageError(["set", "f", "k", "-5"], /^an argument that starts with - goes after --/);
    usageError(["set", "f", "k", "my", "secret"], /^too many arguments: 1 more than kmseal set/);
    for (const rest of [
      ["f", "k", "-52817"],
      ["f", "k", "my", "s3cret"],
      ["f", "k", "-s3cret"],
      ["f", "k", "--type", "-s3cret"],
    ]) {
      assert.throws(
        () => parseArgs(spec("set"), rest, GLOBAL_FLAGS),
        (e: Error) => !/s3cret|52817/.test(e.message),
        rest.join(" "),
      );
    }
  });

  it("suggests the nearest name only when it is close", () => {
    assert.equal(closest("decrpyt", ["encrypt", "decrypt"]), "decrypt");
    assert.equal(closest("stauts", ["status", "set"]), "status");
    assert.equal(closest("xyz", ["encrypt", "decrypt"]), undefined);
  });
});

describe("the command tables", () => {
  it("name each command once, with its usage line, and every table's choices match the modules that enforce them", () => {
    const names = COMMANDS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    for (const c of COMMANDS) {
      assert.ok(c.usage.startsWith(`kmseal ${c.name} `) || c.usage === `kmseal ${c.name}`, c.usage);
      const variadic = c.positionals.findIndex((p) => p.variadic === true);
      assert.ok(variadic < 0 || variadic === c.positionals.length - 1, `${c.name}: a variadic positional comes last`);
      for (const flag of Object.keys(c.flags)) assert.ok(GLOBAL_FLAGS[flag] === undefined, `${c.name} --${flag} shadows a global option`);
      if (c.flags["format"] !== undefined) assert.deepEqual(c.flags["format"].choices, FORMATS);
    }
    assert.deepEqual([...SET_TYPES], [...VALUE_TYPES]);
    assert.equal(spec("exec").usage, "kmseal exec [options] FILE... -- CMD [ARGS...]");
  });

  it("load an action for every command", async () => {
    for (const c of COMMANDS) assert.equal(typeof (await c.load()), "function", c.name);
  });
});

describe("run: help, version and usage errors", () => {
  it("prints the overview and the version on stdout with exit 0", async () => {
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: kmseal <command> \[options\]\n/);
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c.name}\\b`, "m"), c.name);
    assert.equal(help.stderr, "");
    const version = await cli(["--version"]);
    assert.deepEqual({ code: version.code, stdout: version.stdout }, { code: 0, stdout: "0.1.0\n" });
  });

  it("lists a command's own options before the global ones, and examples that paste as written", async () => {
    for (const c of COMMANDS) {
      const r = await cli([c.name, "--help"]);
      assert.equal(r.code, 0, c.name);
      assert.ok(r.stdout.startsWith(`usage: ${c.usage}\n`), c.name);
      const own = Object.keys(c.flags).map((f) => r.stdout.search(new RegExp(`--(\\[no-\\])?${f}\\b`)));
      const global = r.stdout.indexOf("Global options:");
      assert.ok(global > 0 && own.every((i) => i > 0 && i < global), `${c.name}: own options first`);
      for (const [line] of c.examples) assert.ok(r.stdout.includes(`\n  ${line}\n`), `${c.name}: example on one line: ${line}`);
    }
    const exec = await cli(["exec", "-h"]);
    assert.match(exec.stdout, /^usage: kmseal exec \[options\] FILE\.\.\. -- CMD \[ARGS\.\.\.\]\n/);
  });

  it("reports an unknown command, unknown option, missing value or wrong choice in one line plus the usage, exit 2", async () => {
    const cases: [string[], string][] = [
      [["decrpyt", "a.enc.yaml"], 'kmseal: unknown command "decrpyt"; did you mean decrypt?\nusage: kmseal <command> [options]\n  more: kmseal --help\n'],
      [[], "kmseal: name a command\nusage: kmseal <command> [options]\n  more: kmseal --help\n"],
      [["get", "--bogus", "f", "k"], "kmseal: unknown option --bogus\nusage: kmseal get [options] FILE KEYPATH\n  more: kmseal get --help\n"],
      [["decrypt", "-o"], "kmseal: -o needs a value\nusage: kmseal decrypt [options] [FILE...]\n  more: kmseal decrypt --help\n"],
      [["get"], "kmseal: get needs FILE and KEYPATH\nusage: kmseal get [options] FILE KEYPATH\n  more: kmseal get --help\n"],
      [
        ["decrypt", "--format", "toml", "a"],
        'kmseal: --format must be one of yaml, json, dotenv, binary, not "toml"\nusage: kmseal decrypt [options] [FILE...]\n  more: kmseal decrypt --help\n',
      ],
    ];
    for (const [argv, stderr] of cases) {
      const r = await cli(argv);
      assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 2, stdout: "", stderr }, argv.join(" "));
    }
  });

  it("finds the command after global options", async () => {
    const r = await cli(["--profile", "dev", "-q", "decrypt", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: kmseal decrypt /);
  });
});

/** The real CLI as a process: the compiled entry, and the bundle when it is built. */
function entries(): string[] {
  return existsSync(BUNDLE) ? [CLI_MAIN, BUNDLE, BIN] : [CLI_MAIN];
}

function sealedProject(): string {
  const dir = testdir({ ".kmsrc": "rules: []\n", "f.env": "A=1\n" });
  const r = spawnSync(process.execPath, [CLI_MAIN, "encrypt", "--age", TEST_AGE_RECIPIENT, "f.env"], {
    cwd: dir,
    env: cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

describe("the words after -- through the real CLI", () => {
  it("exec hands them to the command exactly as typed", () => {
    const dir = sealedProject();
    for (const bin of entries()) {
      const r = spawnSync(process.execPath, [bin, "exec", "f.env.enc", "--", "printf", "[%s]", "-0", "1e3", "0x10", "1.50", "5."], {
        cwd: dir,
        env: cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY }),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "[-0][1e3][0x10][1.50][5.]", bin);
    }
  });

  it("set stores the value after -- as typed", () => {
    const dir = sealedProject();
    const env = cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY });
    for (const bin of entries()) {
      for (const value of ["1.50", "-0"]) {
        const set = spawnSync(process.execPath, [bin, "set", "f.env.enc", "K", "--", value], { cwd: dir, env, encoding: "utf8" });
        assert.equal(set.status, 0, set.stderr);
        const get = spawnSync(process.execPath, [bin, "get", "f.env.enc", "K"], { cwd: dir, env, encoding: "utf8" });
        assert.deepEqual({ status: get.status, stdout: get.stdout }, { status: 0, stdout: `${value}\n` }, `${bin} ${value}`);
      }
    }
  });
});

describe("start-up loads", () => {
  const loaded = (argv: string[], bin = CLI_MAIN): string[] => {
    const dir = sealedProject();
    const log = join(dir, "loaded.txt");
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, ["--import", RECORDER, bin, ...argv], {
      cwd: dir,
      env: cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, KMSEAL_LOAD_LOG: log }),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(log, "utf8")
      .split("\n")
      .filter((u) => u.includes(bin === CLI_MAIN ? "/src/" : "/dist/"));
  };

  it("no command module and no ops for --help", () => {
    const urls = loaded(["--help"]);
    assert.ok(urls.some((u) => u.endsWith("/src/cli/catalog.js")));
    assert.deepEqual(
      urls.filter((u) => /\/src\/(ops|cli\/commands)\//.test(u)),
      [],
    );
  });

  it("only the running command's module", () => {
    const urls = loaded(["status", "f.env.enc"]);
    assert.deepEqual(
      urls.filter((u) => u.includes("/src/cli/commands/")).map((u) => u.replace(/.*\/src\//, "")),
      ["cli/commands/status.js"],
    );
  });

  // The bundle is one classic script per command module plus the packages it needs, each its own
  // script: a command loads one script of kmseal's and only the packages its work uses.
  const scripts = (argv: string[]): string[] =>
    loaded(argv, BUNDLE)
      .filter((u) => u.includes("/dist/chunks/"))
      .map((u) => u.replace(/.*\/dist\/chunks\//, ""))
      .sort();
  it("the bundle: an age decrypt, get and exec load their command's script and nothing else", (t) => {
    if (!existsSync(BUNDLE)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    assert.deepEqual(scripts(["decrypt", "--stdout", "f.env.enc"]), ["cmd-decrypt.cjs"]);
    assert.deepEqual(scripts(["get", "f.env.enc", "A"]), ["cmd-get.cjs"]);
    assert.deepEqual(scripts(["exec", "f.env.enc", "--", "true"]), ["cmd-exec.cjs"]);
    assert.deepEqual(scripts(["--help"]), ["cli.cjs"]);
    assert.deepEqual(scripts(["--profile", "dev", "get", "f.env.enc", "A"]), ["cmd-get.cjs"], "after a global option with a value");
  });
  it("the package's bin is the classic-script start, and loads the same scripts", (t) => {
    if (!existsSync(BUNDLE)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    assert.equal(pkg.bin["kmseal"], "dist/kmseal.cjs");
    const viaBin = loaded(["decrypt", "--stdout", "f.env.enc"], BIN).map((u) => u.replace(/.*\/dist\//, ""));
    // Seen twice (the resolve hook, and require's cache): with --import, Node starts even a classic main through the ESM loader.
    assert.deepEqual([...new Set(viaBin)].sort(), ["chunks/cmd-decrypt.cjs", "kmseal.cjs"]);
  });
  it("the bundle: status reads the .kmsrc (yaml) and loads neither the AWS SDK nor age", (t) => {
    if (!existsSync(BUNDLE)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    // The .kmsrc has no rules, so no glob is compiled and picomatch stays unloaded.
    assert.deepEqual(scripts(["status", "f.env.enc"]), ["cmd-status.cjs", "vendor-yaml.cjs"]);
  });
  it("the bundle: a package loads when it is used, not because a module that can use it did", (t) => {
    if (!existsSync(BUNDLE)) {
      t.skip("dist/kmseal.js is not built (npm run build)");
      return;
    }
    // set's script holds the YAML store and the .kmsrc reader: a .env set that changes nothing needs
    // neither package; one that reseals reads the project's rule from the .kmsrc (yaml).
    assert.deepEqual(scripts(["set", "f.env.enc", "A", "1"]), ["cmd-set.cjs"]);
    assert.deepEqual(scripts(["set", "f.env.enc", "A", "2"]), ["cmd-set.cjs", "vendor-yaml.cjs"]);
    const withRule = (argv: string[]) => {
      const dir = testdir({ ".kmsrc": 'rules:\n  - path: "**/*.yaml"\n', "c.yaml": "a: 1\n" });
      const log = join(dir, "loaded.txt");
      const env = cleanEnv({ HOME: dir, KMSEAL_AGE_KEY: TEST_AGE_IDENTITY, KMSEAL_LOAD_LOG: log });
      const r = spawnSync(process.execPath, ["--import", RECORDER, BUNDLE, ...argv], { cwd: dir, env, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return [
        ...new Set(
          readFileSync(log, "utf8")
            .split("\n")
            .filter((u) => u.includes("/dist/chunks/")),
        ),
      ]
        .map((u) => u.replace(/.*\/dist\/chunks\//, ""))
        .sort();
    };
    // A rule's glob is compiled (picomatch) and a YAML file parsed (yaml) when there are some.
    assert.deepEqual(withRule(["status", "c.yaml"]), ["cmd-status.cjs", "vendor-picomatch.cjs", "vendor-yaml.cjs"]);
  });
});
