import { check, type Finding } from "../../ops/inspect/check.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import { EXIT } from "../exit-codes.js";
import type { GlobalArgs } from "../options.js";

interface CheckArgs extends GlobalArgs {
  files?: string[];
  staged?: boolean;
  strict?: boolean;
  json?: boolean;
}

/** `kmseal check`: the pre-commit guard. */
export async function checkAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as CheckArgs;
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
