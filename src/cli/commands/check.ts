import type { Argv } from "yargs";
import { check, type Finding } from "../../ops/inspect/check.js";
import type { Ctx } from "../command.js";
import { EXIT } from "../exit-codes.js";
import type { GlobalArgs } from "../options.js";

export interface CheckArgs extends GlobalArgs {
  files?: string[];
  staged?: boolean;
  strict?: boolean;
  json?: boolean;
}

export function checkCommand(y: Argv, ctx: Ctx): Argv {
  return y.command(
    "check [files..]",
    "Fail (exit 6) when a file a .kmsrc rule covers would be committed in plaintext, or an encrypted file was hand-edited or moved. No network, no keys needed",
    (b) =>
      b
        .positional("files", { type: "string", array: true, describe: "files to check (default: what a commit could contain)" })
        .option("staged", { type: "boolean", describe: "check the staged blobs (the index), not the working tree" })
        .option("strict", { type: "boolean", describe: "also fail on warnings (keys that differ from the rule, KMS keys not bound to the path)" })
        .option("json", { type: "boolean", describe: "print a machine-readable report on stdout" })
        .example("kmseal check --staged", "what the pre-commit hook runs")
        .example("kmseal check config/app.yaml config/app.enc.yaml", "what the pre-commit framework runs"),
    (argv) => checkAction(argv as unknown as CheckArgs, ctx),
  );
}

/** The command itself, shared by the yargs handler and the fast path (fast-args.ts). */
export async function checkAction(a: CheckArgs, ctx: Ctx): Promise<void> {
  const report = await check({ staged: a.staged, files: a.files, strict: a.strict, configPath: a.config });
  if (a.json) ctx.io.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    for (const f of report.findings) ctx.io.stderr.write(line(f));
    if (!a.quiet || !report.ok) ctx.io.stderr.write(summary(report.ok, report.checked, report.errors, report.warnings, report.findings));
  }
  if (!report.ok) ctx.exitCode = EXIT.check;
}

function line(f: Finding): string {
  const where = f.keyPath !== undefined ? `${f.file}: ${f.keyPath}` : f.file;
  return `kmseal: ${f.severity === "warning" ? "warning: " : ""}${where}: ${f.message}\n  fix: ${f.fix}\n`;
}

function summary(ok: boolean, checked: number, errors: number, warnings: number, findings: readonly Finding[]): string {
  const files = new Set(findings.filter((f) => f.severity === "error").map((f) => f.file)).size;
  const warned = warnings > 0 ? `, ${warnings} warning(s)` : "";
  if (ok) return `kmseal: check passed: ${checked} file(s)${warned}\n`;
  return `kmseal: check failed: ${errors} problem(s) in ${files} of ${checked} file(s)${warned}; do not commit them (exit ${EXIT.check})\n`;
}
