/**
 * GitHub Actions `::add-mask::` commands for a secret. The runner unescapes command data (`%25`,
 * `%0D`, `%0A`), so the data must be escaped exactly as @actions/core's escapeData does, or a secret
 * containing `%0A` is masked as something else and printed in clear. The runner matches masks line
 * by line in the log, so a multi-line value is masked whole and line by line.
 */
export function escapeCommandData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function maskCommands(value: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (s.trim() !== "" && !out.includes(s)) out.push(s);
  };
  add(value);
  for (const line of value.split(/\r?\n/)) add(line);
  return out.map((s) => `::add-mask::${escapeCommandData(s)}\n`);
}
