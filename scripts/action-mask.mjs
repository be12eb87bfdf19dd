#!/usr/bin/env node
// Registers every value of the given plaintext files with the runner's log masking
// (`::add-mask::`, one per line: the runner masks line by line, so a multi-line value is registered
// line by line too). Reads the files kmseal just wrote; nothing is decrypted twice.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const values = new Set();
function add(v) {
  const s = String(v);
  for (const line of [s, ...s.split(/\r?\n/)]) if (line.trim() !== "" && !line.includes("\n")) values.add(line);
}
function leaves(x) {
  if (x === null || x === undefined) return;
  if (Array.isArray(x)) x.forEach(leaves);
  else if (typeof x === "object") Object.values(x).forEach(leaves);
  else add(x);
}

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const name = file.toLowerCase();
  if (/\.(ya?ml)$/.test(name)) for (const doc of parseAllDocuments(text)) leaves(doc.toJS({ maxAliasCount: -1 }));
  else if (name.endsWith(".json")) leaves(JSON.parse(text));
  else if (/(^|\/)\.env($|\.)|\.env$/.test(name)) {
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*(?:export\s+)?[^#=\s][^=]*=(.*)$/.exec(line);
      if (m) {
        const raw = m[1];
        add(raw);
        add(raw.replace(/\\n/g, "\n"));
      }
    }
  } else add(text); // binary or unknown: the whole content, line by line
}
for (const v of values) process.stdout.write(`::add-mask::${v}\n`);
