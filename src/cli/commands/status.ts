import { status, type FileStatus } from "../../ops/inspect/status.js";
import type { Args } from "../args.js";
import type { Ctx } from "../command.js";
import type { GlobalArgs } from "../options.js";

interface StatusArgs extends GlobalArgs {
  files?: string[];
  all?: boolean;
  json?: boolean;
}

export async function statusAction(argv: Args, ctx: Ctx): Promise<void> {
  const a = argv as StatusArgs;
  const files = await status({ files: a.files, all: a.all, configPath: a.config, env: ctx.io.env });
  if (a.json) ctx.io.stdout.write(JSON.stringify(files, null, 2) + "\n");
  else ctx.io.stdout.write(files.map(describe).join(""));
}

const CONTEXT: Record<FileStatus["context"], string> = { ok: "path ok", mismatch: "PATH MISMATCH", unbound: "not bound to its path", none: "" };

function describe(s: FileStatus): string {
  const head = [
    s.encrypted ? "encrypted" : "plaintext",
    s.rule !== null ? (s.config?.kind === "sops" || s.rule.startsWith("path_regex ") ? `rule ${s.rule}` : `rule "${s.rule}"`) : "no rule",
    // A .kmsrc is kmseal's own and goes without saying (--json names it too); .sops.yaml is said.
    s.config?.kind === "sops" ? `config ${s.config.file}` : "",
    s.lastmodified !== null ? `last sealed ${s.lastmodified}` : "",
    s.counterpart !== null ? `${s.counterpartName ?? "other"} copy ${s.counterpart}` : "",
  ].filter(Boolean);
  const lines = [`${s.file}: ${head.join(", ")}`];
  for (const arn of s.kms)
    lines.push(`  kms ${arn}${s.context !== "none" ? ` (${CONTEXT[s.context]}${s.boundTo !== null ? `: bound to ${s.boundTo}` : ""})` : ""}`);
  for (const r of s.age) lines.push(`  age ${r}`);
  for (const p of s.problems) lines.push(`  problem: ${p}`);
  if (s.stale === true && !s.encrypted)
    lines.push(
      "  stale: its encrypted file changed since this copy was made; kmseal encrypt merges the two (or refuses), kmseal decrypt --force takes the encrypted version",
    );
  if (s.stale === true && s.encrypted) lines.push(`  stale copy: ${s.counterpart ?? "its plaintext copy"} was made from an older version of this file`);
  return lines.join("\n") + "\n";
}
