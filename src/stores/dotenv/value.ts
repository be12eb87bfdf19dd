/**
 * What a dotenv line means to the usual loaders (dotenv, docker compose, shells), as opposed to the
 * raw text sops stores: `export ` dropped, quotes removed, escapes of double quotes expanded, and an
 * unquoted value trimmed and cut at an inline ` #comment`.
 */

export interface DotenvVariable {
  readonly name: string;
  readonly value: string;
}

const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** `key` is the text before the first `=`, `raw` everything after it (as the dotenv store reads them). */
export function interpretDotenv(key: string, raw: string): DotenvVariable {
  const name = key
    .trim()
    .replace(/^export[ \t]+/, "")
    .trim();
  return { name, value: interpretValue(raw) };
}

function interpretValue(raw: string): string {
  const text = raw.replace(/^[ \t]+/, "");
  const quote = text[0];
  if (quote === "'" || quote === "`") {
    const close = text.indexOf(quote, 1);
    if (close !== -1) return text.slice(1, close);
  } else if (quote === '"') {
    const value = doubleQuoted(text);
    if (value !== undefined) return value;
  }
  // Unquoted (or never closed): trimmed, up to a `#` that follows whitespace.
  const comment = /(?:^|[ \t])#/.exec(text);
  return (comment === null ? text : text.slice(0, comment.index)).trim();
}

/** The content of a double-quoted value, or undefined when the quote never closes. */
function doubleQuoted(text: string): string | undefined {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return out;
    if (c === "\r" && text[i + 1] === "\n") continue; // a CRLF file's line break is one newline
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[i + 1];
    const escaped = next === undefined ? undefined : DOUBLE_QUOTE_ESCAPES[next];
    if (escaped === undefined) {
      out += c;
    } else {
      out += escaped;
      i++;
    }
  }
  return undefined;
}
