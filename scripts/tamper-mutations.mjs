// Text-level manipulations of sealed files, one field at a time, for scripts/make-tamper-corpus.mjs.
// Each works on the file as text (not a parsed tree) so that duplicated or missing fields can be made,
// and each throws when it did not apply, so a corpus case can never silently be a copy of a valid file.

const ENC = /ENC\[AES256_GCM,[^\]]*\]/;

function fail(what) {
  throw new Error(`mutation did not apply: ${what}`);
}

/** Index of the line that holds data key `key` (top level or nested) in this format. */
function keyLine(lines, fmt, key) {
  const re = fmt === "yaml" ? new RegExp(`^\\s*(- )?${key}:( |$)`) : fmt === "dotenv" ? new RegExp(`^${key}=`) : new RegExp(`^\\s*"${key}":`);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) fail(`no line for key ${key}`);
  return i;
}

/** The ENC[...] string of a key's value. */
export function encOf(text, fmt, key) {
  const lines = text.split("\n");
  const m = ENC.exec(lines[keyLine(lines, fmt, key)]);
  if (m === null) fail(`${key} is not encrypted`);
  return m[0];
}

/** The ENC[...] strings of the first `n` elements of list `key` (values only, not `#ENC` comments). */
export function listEncs(text, fmt, key, n) {
  const lines = text.split("\n");
  const out = [];
  for (let i = keyLine(lines, fmt, key) + 1; i < lines.length && out.length < n; i++) {
    if (/^\s*#/.test(lines[i])) continue;
    const m = ENC.exec(lines[i]);
    if (m !== null) out.push(m[0]);
  }
  if (out.length < n) fail(`list ${key} has fewer than ${n} encrypted items`);
  return out;
}

export function replaceOnce(text, from, to) {
  const i = text.indexOf(from);
  if (i < 0) fail(`"${from.slice(0, 40)}" not found`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** Replaces the n-th (0-based) occurrence of `from`. */
export function replaceNth(text, from, to, n) {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(from, i + 1);
    if (i < 0) fail(`occurrence ${n} of "${from.slice(0, 40)}" not found`);
  }
  return text.slice(0, i) + to + text.slice(i + from.length);
}

export function swap(text, a, b) {
  return replaceOnce(replaceOnce(replaceOnce(text, a, "\u0000SWAP\u0000"), b, a), "\u0000SWAP\u0000", b);
}

/** A different base64 character in position `at` of a base64 string (the first by default). */
export function flipB64(s, at = 0) {
  const c = s[at];
  return s.slice(0, at) + (c === "A" ? "B" : "A") + s.slice(at + 1);
}

/** The ENC string with one of its fields (data, iv, tag, type) changed by `fn`. */
export function alterField(enc, field, fn) {
  const m = new RegExp(`([,\\[]${field}:)([^,\\]]*)`).exec(enc);
  if (m === null) fail(`no ${field} in ${enc}`);
  const start = m.index + m[1].length;
  return enc.slice(0, start) + fn(m[2]) + enc.slice(start + m[2].length);
}

/** The whole line of data key `key`. */
export function keyLineText(text, fmt, key) {
  const lines = text.split("\n");
  return lines[keyLine(lines, fmt, key)];
}

/** Removes the line of data key `key`, keeping JSON valid (a trailing comma moves to the line before). */
export function removeKeyLine(text, fmt, key) {
  const lines = text.split("\n");
  return removeLineAt(lines, keyLine(lines, fmt, key), fmt).join("\n");
}

function removeLineAt(lines, i, fmt) {
  const [line] = lines.splice(i, 1);
  if ((fmt === "json" || fmt === "binary") && !line.trimEnd().endsWith(",") && lines[i - 1]?.trimEnd().endsWith(",")) {
    lines[i - 1] = lines[i - 1].trimEnd().slice(0, -1);
  }
  return lines;
}

/** Index of a top-level sops metadata field's line (yaml `    mac:`, json `"mac":`, dotenv `sops_mac=`). */
function metaLine(lines, fmt, field) {
  const re = fmt === "yaml" ? new RegExp(`^    ${field}:`) : fmt === "dotenv" ? new RegExp(`^sops_${field}=`) : new RegExp(`^\\s+"${field}":`);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) fail(`no metadata field ${field}`);
  return i;
}

export function metaValue(text, fmt, field) {
  const lines = text.split("\n");
  const line = lines[metaLine(lines, fmt, field)];
  return fmt === "dotenv"
    ? line.slice(line.indexOf("=") + 1)
    : line
        .slice(line.indexOf(":") + 1)
        .trim()
        .replace(/,$/, "");
}

export function removeMeta(text, fmt, field) {
  const lines = text.split("\n");
  return removeLineAt(lines, metaLine(lines, fmt, field), fmt).join("\n");
}

export function duplicateMeta(text, fmt, field) {
  const lines = text.split("\n");
  const i = metaLine(lines, fmt, field);
  let copy = lines[i];
  if ((fmt === "json" || fmt === "binary") && !copy.trimEnd().endsWith(",")) copy += ",";
  lines.splice(i, 0, copy);
  return lines.join("\n");
}

/** Replaces a metadata field's value text (for yaml/json the raw token, quotes included). */
export function setMeta(text, fmt, field, value) {
  const lines = text.split("\n");
  const i = metaLine(lines, fmt, field);
  const line = lines[i];
  const cut = fmt === "dotenv" ? line.indexOf("=") + 1 : line.indexOf(":") + 2;
  const comma = (fmt === "json" || fmt === "binary") && line.trimEnd().endsWith(",") ? "," : "";
  lines[i] = line.slice(0, cut) + value + comma;
  return lines.join("\n");
}

/** Adds a metadata field just before `version` (yaml/json) or at the end of the block (dotenv). */
export function addMeta(text, fmt, field, value) {
  const lines = text.split("\n");
  const i = metaLine(lines, fmt, "version");
  const indent = /^\s*/.exec(lines[i])[0];
  const line = fmt === "yaml" ? `    ${field}: ${value}` : fmt === "dotenv" ? `sops_${field}=${value}` : `${indent}"${field}": ${value},`;
  lines.splice(i, 0, line);
  return lines.join("\n");
}

/** Changes one base64 character of the age armor: in its header line or in its last (payload) line. */
export function corruptAgeArmor(text, where) {
  const begin = text.indexOf("-----BEGIN AGE ENCRYPTED FILE-----");
  const end = text.indexOf("-----END AGE ENCRYPTED FILE-----");
  if (begin < 0 || end < 0) fail("no age armor");
  const body = text.slice(begin, end);
  const lineStarts = [...body.matchAll(/(\\n|\n[ \t]*)(?=[A-Za-z0-9+/])/g)].map((m) => begin + m.index + m[0].length);
  const at = where === "header" ? lineStarts[0] : lineStarts[lineStarts.length - 1] + 4;
  return text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
}

/** Removes the `enc` field of the first age (or kms) key entry. */
export function removeStanzaEnc(text, fmt, type) {
  if (fmt === "dotenv") return dropLines(text, new RegExp(`^sops_${type}__list_0__map_enc=`));
  if (fmt === "yaml") {
    if (type === "age") {
      const re = /        - enc: \|\n(            .*\n)+          recipient:/;
      if (!re.test(text)) fail("yaml age enc block");
      return text.replace(re, "        - recipient:");
    }
    return dropLines(text, /^          enc: /);
  }
  return dropLines(text, /^\s+"enc": /);
}

/** Removes every key entry of a type (the `age:` or `kms:` list), leaving the file without keys. */
export function removeStanzas(text, fmt, type) {
  if (fmt === "dotenv") return dropLines(text, new RegExp(`^sops_${type}__`), true);
  const lines = text.split("\n");
  const start = metaLine(lines, fmt, type);
  const indent = /^\s*/.exec(lines[start])[0].length;
  let stop = start + 1;
  while (stop < lines.length && /^\s*/.exec(lines[stop])[0].length > indent) stop++;
  if (fmt !== "yaml") stop++; // the closing `],` line
  lines.splice(start, stop - start);
  return lines.join("\n");
}

function dropLines(text, re, all = false) {
  const lines = text.split("\n");
  const kept = [];
  let dropped = 0;
  for (const l of lines) {
    if (re.test(l) && (all || dropped === 0)) dropped++;
    else kept.push(l);
  }
  if (dropped === 0) fail(`no line matches ${re}`);
  return kept.join("\n");
}

/** The KMS entry's `file` context value replaced. */
export function setKmsFileContext(text, fmt, from, to) {
  const needle = fmt === "yaml" ? `file: ${from}` : fmt === "dotenv" ? `context__map_file=${from}` : `"file": "${from}"`;
  const repl = fmt === "yaml" ? `file: ${to}` : fmt === "dotenv" ? `context__map_file=${to}` : `"file": "${to}"`;
  return replaceOnce(text, needle, repl);
}

/** An extra pair added to the KMS entry's context. */
export function addKmsContextPair(text, fmt, key, value) {
  if (fmt === "dotenv")
    return replaceOnce(
      text,
      "sops_kms__list_0__map_context__map_file=",
      `sops_kms__list_0__map_context__map_${key}=${value}\nsops_kms__list_0__map_context__map_file=`,
    );
  if (fmt === "yaml") return text.replace(/^(\s+)file: /m, (_m, ind) => `${ind}${key}: ${value}\n${ind}file: `);
  return text.replace(/^(\s+)"file": /m, (_m, ind) => `${ind}"${key}": "${value}",\n${ind}"file": `);
}

/** The KMS CiphertextBlob rewritten so it no longer matches: the fake KMS's blob is JSON that binds the context. */
export function corruptKmsBlob(text, fmt) {
  const re = fmt === "yaml" ? /(\n          enc: )(\S+)/ : fmt === "dotenv" ? /(\nsops_kms__list_0__map_enc=)(\S+)/ : /(\n\s+"enc": ")([^"]+)/;
  const m = re.exec(text);
  if (m === null) fail("no kms enc");
  const blob = JSON.parse(Buffer.from(m[2], "base64").toString("utf8"));
  blob.ctx = { ...blob.ctx, file: "elsewhere.enc" };
  const b64 = Buffer.from(JSON.stringify(blob)).toString("base64");
  return text.slice(0, m.index) + m[1] + b64 + text.slice(m.index + m[0].length);
}
