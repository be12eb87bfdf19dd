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
  const where = f.keyPath !== undefined ? `${printable(f.file)}: ${f.keyPath}` : printable(f.file);
  return `kmseal: ${f.severity === "warning" ? "warning: " : ""}${where}: ${printable(f.message)}\n  fix: ${f.fix}\n`;
}

/**
 * A file name on one line of the report: a newline or other control character in it, or a byte
 * that is not UTF-8 (a lone U+DC80..U+DCFF, see decodePath in git.ts), is written as git writes it
 * (`\n`, `\377`), so a name cannot end the line or forge another one. The fix commands quote
 * such names as $'...' instead.
 */
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cs}]/gu, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    return `\\${(code >= 0xdc80 && code <= 0xdcff ? code - 0xdc00 : code).toString(8).padStart(3, "0")}`;
  });
}

function summary(ok: boolean, checked: number, errors: number, warnings: number, findings: readonly Finding[]): string {
  const files = new Set(findings.filter((f) => f.severity === "error").map((f) => f.file)).size;
  const warned = warnings > 0 ? `, ${warnings} warning(s)` : "";
  if (ok) return `kmseal: check passed: ${checked} file(s)${warned}\n`;
  return `kmseal: check failed: ${errors} problem(s) in ${files} of ${checked} file(s)${warned}; do not commit them (exit ${EXIT.check})\n`;
}
