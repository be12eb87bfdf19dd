import { parseAllDocuments } from "yaml";

/**
 * What the peer suites compare: YAML and JSON as data (comments and layout aside), dotenv as its
 * key/value pairs in order, binary as bytes. The dotenv reading follows sops's own store (split on
 * `\n` only, key = bytes before the first `=`, `\n` escapes are newlines), so a CR from CRLF input
 * stays in the value on both sides.
 */
export type PeerFormat = "yaml" | "json" | "dotenv" | "binary";

/** The cli.md format rule, after stripping a trailing `.enc`. */
export function formatOf(name: string): PeerFormat {
  const base = (name.split("/").pop() ?? name).replace(/\.enc$/, "");
  if (/\.ya?ml$/.test(base)) return "yaml";
  if (/\.json$/.test(base)) return "json";
  if (base === ".env" || base.startsWith(".env.") || base.endsWith(".env")) return "dotenv";
  return "binary";
}

/** The cli.md name of the encrypted copy: `.enc` before the extension for yaml/json, appended otherwise. */
export function encryptedName(name: string): string {
  const m = /^(.*)(\.(?:ya?ml|json))$/.exec(name);
  if (m !== null && formatOf(name) !== "binary" && m[1] !== undefined && m[1] !== "" && !m[1].endsWith("/")) return `${m[1]}.enc${m[2]}`;
  return `${name}.enc`;
}

/** Index of the first `"` at or after `from` that no backslash escapes; -1 if none. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * Key/value pairs of a dotenv file, read the way sops reads its lines, widened like common dotenv
 * readers: blank and whitespace-only lines and indented `#` lines are not pairs, and a double-quoted
 * value that closes on a later line spans those lines (sops writes such values with `\n` escapes).
 */
export function dotenvPairs(bytes: Uint8Array): Array<[string, string]> {
  const lines = Buffer.from(bytes).toString("utf8").split("\n");
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^[ \t\r]*$/.test(line) || /^[ \t\r]*#/.test(line)) continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`dotenv line ${i + 1} has no '='`);
    let value = line.slice(eq + 1);
    const open = value.search(/\S/);
    if (value[open] === '"' && closingQuote(value, open + 1) === -1) {
      let j = i + 1;
      while (j < lines.length && closingQuote(lines[j] ?? "", 0) === -1) j++;
      if (j < lines.length) {
        value = [value, ...lines.slice(i + 1, j + 1)].join("\n");
        i = j;
      }
    }
    pairs.push([line.slice(0, eq), value.replaceAll("\\n", "\n")]);
  }
  return pairs;
}

/** Why sops cannot read this plaintext file (its dotenv reader wants `=` on every non-comment line), or undefined. */
export function sopsCannotRead(format: PeerFormat, bytes: Uint8Array): string | undefined {
  if (format !== "dotenv") return undefined;
  const lines = Buffer.from(bytes).toString("utf8").split("\n");
  const bad = lines.findIndex((l) => l !== "" && !l.startsWith("#") && !l.includes("="));
  return bad < 0 ? undefined : `sops rejects plaintext dotenv line ${bad + 1} (no '=')`;
}

/** The comparable form of a plaintext file. */
export function asData(format: PeerFormat, bytes: Uint8Array): unknown {
  const text = () => Buffer.from(bytes).toString("utf8");
  switch (format) {
    case "yaml":
      // merge: `<<` keys compare by what they mean, whether a writer kept or expanded them.
      return parseAllDocuments(text(), { merge: true }).map((d) => {
        if (d.errors.length > 0) throw new Error(`YAML error: ${d.errors[0]?.message ?? ""}`);
        return d.toJS({ maxAliasCount: -1 }) as unknown;
      });
    case "json":
      return JSON.parse(text()) as unknown;
    case "dotenv":
      return dotenvPairs(bytes);
    case "binary":
      return Buffer.from(bytes);
  }
}
