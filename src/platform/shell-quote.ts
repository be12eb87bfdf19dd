/**
 * One word for a POSIX shell: the commands kmseal prints for copy-pasting, the driver commands git
 * runs through `sh`, and the temp-guard's `rm` lines must all agree on what needs quoting, so a
 * path that is safe in one is safe in all. Plain words stay readable; anything else is single-quoted.
 */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
