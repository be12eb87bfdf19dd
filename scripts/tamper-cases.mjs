// The tamper corpus: plaintext sources and the single-field manipulations applied to their sealed
// forms. Used by scripts/make-tamper-corpus.mjs. Exit codes: 3 integrity, 4 key, 2 malformed structure.
import * as m from "./tamper-mutations.mjs";

export const FORMATS = ["yaml", "json", "dotenv", "binary"];

export const SOURCES = {
  yaml: {
    name: "source.yaml",
    text: `# database settings: comment-secret-yaml
db:
  user: admin-yaml
  password: s3cr3t-yaml
  port: 5432
tags:
  - alpha-yaml
  - beta-yaml
token: tok-yaml-123
enabled: true
note_unencrypted: visible-yaml
`,
  },
  json: {
    name: "source.json",
    text: `{
  "db": {
    "user": "admin-json",
    "password": "s3cr3t-json",
    "port": 5432
  },
  "tags": [
    "alpha-json",
    "beta-json"
  ],
  "token": "tok-json-123",
  "enabled": true,
  "note_unencrypted": "visible-json"
}
`,
  },
  dotenv: {
    name: "source.env",
    text: `# settings: comment-secret-env
DB_USER=admin-env
DB_PASSWORD=s3cr3t-env
PORT=5432
TOKEN=tok-env-123
NOTE_unencrypted=visible-env
`,
  },
  binary: { name: "source.bin", text: "-----BEGIN TEST KEY-----\nsecret-binary-payload\n\u0001\u0002 not valid as yaml: [\n-----END TEST KEY-----\n" },
};

/** Every plaintext that must never show up in an error message. */
export const SECRETS = [
  "comment-secret-yaml",
  "admin-yaml",
  "s3cr3t-yaml",
  "alpha-yaml",
  "beta-yaml",
  "tok-yaml-123",
  "admin-json",
  "s3cr3t-json",
  "alpha-json",
  "beta-json",
  "tok-json-123",
  "comment-secret-env",
  "admin-env",
  "s3cr3t-env",
  "tok-env-123",
  "secret-binary-payload",
];

const K = {
  yaml: { user: "user", password: "password", token: "token", port: "port", note: "note_unencrypted", list: "tags" },
  json: { user: "user", password: "password", token: "token", port: "port", note: "note_unencrypted", list: "tags" },
  dotenv: { user: "DB_USER", password: "DB_PASSWORD", token: "TOKEN", port: "PORT", note: "NOTE_unencrypted" },
  binary: { token: "data" },
};

const TEXT = ["yaml", "json", "dotenv"];
const TREES = ["yaml", "json"];
const COMMENTED = ["yaml", "dotenv"];

/** A new data line in this format, placed after the token's line. */
function addLine(t, f, key, value) {
  const line = m.keyLineText(t, f, K[f].token);
  const entry = f === "yaml" ? `${key}: ${value}` : f === "dotenv" ? `${key}=${value}` : `  "${key}": "${value}",`;
  return m.replaceOnce(t, line, f === "json" ? `${line}\n${entry}` : `${line}\n${entry}`);
}

/** Sets the token's value to raw text (quoted for JSON). */
function setToken(t, f, value) {
  const enc = m.encOf(t, f, K[f].token);
  return m.replaceOnce(t, enc, value);
}

const tokenEnc = (t, f) => m.encOf(t, f, K[f].token);
const alterToken = (field, fn) => (t, f) => m.replaceOnce(t, tokenEnc(t, f), m.alterField(tokenEnc(t, f), field, fn));
const alterMac = (field, fn) => (t, f) => {
  const mac = /ENC\[[^\]]*\]/.exec(m.metaValue(t, f, "mac"))[0];
  return m.replaceOnce(t, mac, m.alterField(mac, field, fn));
};
const q = (f, s) => (f === "dotenv" ? s : `"${s}"`);

export const CASES = [
  // Values moved, swapped, removed, added.
  {
    name: "value-moved-to-other-key",
    formats: TEXT,
    exit: 3,
    what: "the password's ciphertext copied over the token's",
    stderr: "token|TOKEN",
    mutate: (t, f) => m.replaceOnce(t, tokenEnc(t, f), m.encOf(t, f, K[f].password)),
  },
  {
    name: "value-moved-to-other-list-position",
    formats: TREES,
    exit: 3,
    what: "the first list item's ciphertext copied over the second",
    stderr: "MAC",
    mutate: (t, f) => {
      const [a, b] = m.listEncs(t, f, K[f].list, 2);
      return m.replaceOnce(t, b, a);
    },
  },
  {
    name: "list-items-swapped",
    formats: TREES,
    exit: 3,
    what: "two list items swapped",
    stderr: "MAC",
    mutate: (t, f) => {
      const [a, b] = m.listEncs(t, f, K[f].list, 2);
      return m.swap(t, a, b);
    },
  },
  {
    name: "values-swapped",
    formats: TEXT,
    exit: 3,
    what: "the user and password ciphertexts swapped",
    stderr: "user|password|USER|PASSWORD",
    mutate: (t, f) => m.swap(t, m.encOf(t, f, K[f].user), m.encOf(t, f, K[f].password)),
  },
  {
    name: "lines-reordered",
    formats: ["dotenv"],
    exit: 3,
    what: "two whole lines (key and value) swapped",
    stderr: "MAC",
    mutate: (t, f) => m.swap(t, m.keyLineText(t, f, "DB_USER"), m.keyLineText(t, f, "TOKEN")),
  },
  { name: "value-deleted", formats: TEXT, exit: 3, what: "the token entry removed", stderr: "MAC", mutate: (t, f) => m.removeKeyLine(t, f, K[f].token) },
  {
    name: "value-emptied",
    formats: TEXT,
    exit: 3,
    what: "the token's ciphertext replaced by an empty string",
    stderr: "MAC",
    mutate: (t, f) => setToken(t, f, f === "yaml" ? '""' : ""),
  },
  {
    name: "plaintext-in-encrypted-position",
    formats: TEXT,
    exit: 3,
    what: "the token's ciphertext replaced by a plaintext value",
    stderr: "plaintext",
    mutate: (t, f) => setToken(t, f, "plain-injected"),
  },
  {
    name: "plaintext-key-added",
    formats: TEXT,
    exit: 3,
    what: "a new key with a plaintext value in an encrypted position",
    stderr: "plaintext",
    mutate: (t, f) => addLine(t, f, "injected", "plain-injected"),
  },
  {
    name: "ciphertext-key-added",
    formats: TEXT,
    exit: 3,
    what: "a new key holding a copy of the token's ciphertext",
    stderr: "injected",
    mutate: (t, f) => addLine(t, f, "injected", tokenEnc(t, f)),
  },
  {
    name: "key-renamed",
    formats: TEXT,
    exit: 3,
    what: "the token's key renamed (its AAD no longer matches)",
    stderr: "renamed",
    mutate: (t, f) => {
      const line = m.keyLineText(t, f, K[f].token);
      return m.replaceOnce(t, line, line.replace(K[f].token, `${K[f].token}_renamed`));
    },
  },
  {
    name: "unencrypted-value-changed",
    formats: TEXT,
    exit: 3,
    what: "a value under an _unencrypted key edited (it is covered by the MAC)",
    stderr: "MAC",
    mutate: (t, f) => m.replaceOnce(t, "visible-", "edited-"),
  },
  {
    name: "comment-ciphertext-altered",
    formats: COMMENTED,
    exit: 0,
    what: "an encrypted comment altered: comments are not covered by the MAC (sops format), so the file decrypts with a warning and the comment is kept as ciphertext",
    stderr: "comment.*could not be decrypted",
    mutate: (t) => t.replace(/#ENC\[AES256_GCM,data:(.)/, (_x, c) => `#ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`),
  },
  // One field of an ENC[...] value.
  {
    name: "enc-data-altered",
    exit: 3,
    what: "one base64 character of a value's data changed",
    stderr: "token|TOKEN|data",
    mutate: alterToken("data", (s) => m.flipB64(s)),
  },
  {
    name: "enc-data-truncated",
    exit: 3,
    what: "a value's data shortened by 3 bytes",
    stderr: "token|TOKEN|data",
    mutate: alterToken("data", (s) => s.slice(4)),
  },
  {
    name: "enc-iv-altered",
    exit: 3,
    what: "one base64 character of a value's IV changed",
    stderr: "token|TOKEN|data",
    mutate: alterToken("iv", (s) => m.flipB64(s)),
  },
  {
    name: "enc-iv-shortened",
    exit: 3,
    what: "a value's 32-byte IV cut to 12 bytes",
    stderr: "token|TOKEN|data",
    mutate: alterToken("iv", (s) => Buffer.from(s, "base64").subarray(0, 12).toString("base64")),
  },
  {
    name: "enc-tag-altered",
    exit: 3,
    what: "one base64 character of a value's tag changed",
    stderr: "token|TOKEN|data",
    mutate: alterToken("tag", (s) => m.flipB64(s)),
  },
  {
    name: "enc-tag-truncated",
    exit: 3,
    what: "a value's 16-byte tag cut to its first 12 bytes (GCM would accept a correct prefix if the length were not checked)",
    stderr: "token|TOKEN|data",
    mutate: alterToken("tag", (s) => Buffer.from(s, "base64").subarray(0, 12).toString("base64")),
  },
  {
    name: "enc-tag-4-bytes",
    exit: 3,
    what: "a value's tag cut to its first 4 bytes",
    stderr: "token|TOKEN|data",
    mutate: alterToken("tag", (s) => Buffer.from(s, "base64").subarray(0, 4).toString("base64")),
  },
  { name: "enc-type-changed", exit: 3, what: "a value's type changed from str to int", stderr: "token|TOKEN|data", mutate: alterToken("type", () => "int") },
  { name: "enc-type-garbage", exit: 3, what: "a value's type set to an unknown name", stderr: "token|TOKEN|data", mutate: alterToken("type", () => "banana") },
  {
    name: "enc-cipher-renamed",
    exit: 3,
    what: "a value's cipher name changed to AES128_GCM",
    stderr: "token|TOKEN|data",
    mutate: (t, f) => m.replaceOnce(t, tokenEnc(t, f), tokenEnc(t, f).replace("AES256_GCM", "AES128_GCM")),
  },
  { name: "enc-bad-base64", exit: 3, what: "a value's data is not base64", stderr: "token|TOKEN|data", mutate: alterToken("data", () => "@@@@") },
  {
    name: "enc-unterminated",
    exit: 3,
    what: "a value's closing bracket removed",
    stderr: "token|TOKEN|data",
    mutate: (t, f) => m.replaceOnce(t, tokenEnc(t, f), tokenEnc(t, f).slice(0, -1)),
  },
  // The MAC and lastmodified.
  { name: "mac-data-altered", exit: 3, what: "one base64 character of the MAC's data changed", stderr: "MAC", mutate: alterMac("data", (s) => m.flipB64(s)) },
  { name: "mac-tag-altered", exit: 3, what: "one base64 character of the MAC's tag changed", stderr: "MAC", mutate: alterMac("tag", (s) => m.flipB64(s)) },
  {
    name: "mac-from-other-file",
    exit: 3,
    what: "the MAC replaced by the MAC of another file (another data key)",
    stderr: "MAC",
    mutate: (t, f, c) => m.setMeta(t, f, "mac", m.metaValue(c.other, f, "mac")),
  },
  { name: "mac-empty", exit: 3, what: "the MAC set to an empty string", stderr: "MAC", mutate: (t, f) => m.setMeta(t, f, "mac", f === "dotenv" ? "" : '""') },
  {
    name: "mac-missing",
    exit: 3,
    what: "the mac field removed (read as an empty MAC, as sops does)",
    stderr: "no MAC",
    mutate: (t, f) => m.removeMeta(t, f, "mac"),
  },
  { name: "mac-duplicated", exit: 2, what: "the mac field present twice", stderr: "mac|duplicate", mutate: (t, f) => m.duplicateMeta(t, f, "mac") },
  {
    name: "lastmodified-altered",
    exit: 3,
    what: "lastmodified moved one year back (it is the MAC's AAD)",
    stderr: "MAC|lastmodified",
    mutate: (t, f) =>
      m.replaceOnce(
        t,
        m.metaValue(t, f, "lastmodified"),
        m.metaValue(t, f, "lastmodified").replace(/20(\d\d)/, (_x, y) => `20${String(Number(y) - 1).padStart(2, "0")}`),
      ),
  },
  {
    name: "lastmodified-garbage",
    exit: 2,
    what: "lastmodified is not a time",
    stderr: "lastmodified",
    mutate: (t, f) => m.setMeta(t, f, "lastmodified", q(f, "yesterday")),
  },
  {
    name: "lastmodified-missing",
    exit: 2,
    what: "the lastmodified field removed",
    stderr: "lastmodified",
    mutate: (t, f) => m.removeMeta(t, f, "lastmodified"),
  },
  {
    name: "lastmodified-duplicated",
    exit: 2,
    what: "the lastmodified field present twice",
    stderr: "lastmodified|duplicate",
    mutate: (t, f) => m.duplicateMeta(t, f, "lastmodified"),
  },
  // Other metadata fields.
  {
    name: "version-garbage",
    exit: 2,
    what: "version is not a semantic version",
    stderr: "version",
    mutate: (t, f) => m.setMeta(t, f, "version", q(f, "banana")),
  },
  { name: "version-missing", exit: 2, what: "the version field removed", stderr: "version", mutate: (t, f) => m.removeMeta(t, f, "version") },
  {
    name: "version-duplicated",
    exit: 2,
    what: "the version field present twice",
    stderr: "version|duplicate",
    mutate: (t, f) => m.duplicateMeta(t, f, "version"),
  },
  {
    name: "unencrypted-suffix-changed",
    formats: TEXT,
    exit: 3,
    what: "unencrypted_suffix changed, so a cleartext value now sits in an encrypted position",
    stderr: "NOTE_unencrypted|note_unencrypted|plaintext",
    mutate: (t, f) => m.setMeta(t, f, "unencrypted_suffix", q(f, "_cleartext")),
  },
  {
    name: "second-crypt-rule-added",
    exit: 2,
    what: "encrypted_regex added next to unencrypted_suffix",
    stderr: "crypt rule|encrypted_regex",
    mutate: (t, f) => m.addMeta(t, f, "encrypted_regex", q(f, "^nothing$")),
  },
  {
    name: "mac-only-encrypted-added",
    formats: TEXT,
    exit: 3,
    what: "mac_only_encrypted: true added (the MAC is computed differently)",
    stderr: "MAC",
    mutate: (t, f) => m.addMeta(t, f, "mac_only_encrypted", "true"),
  },
  {
    name: "conflict-record-added",
    exit: 3,
    what: "the merge driver's conflict record (kmseal_conflict) added: a conflicted file is not decrypted until kmseal edit resolves it",
    stderr: "conflict record",
    mutate: (t, f) => m.addMeta(t, f, "kmseal_conflict", q(f, "unresolved merge conflict: values changed on both sides: token")),
  },
  {
    name: "metadata-removed",
    exit: 2,
    what: "the whole sops metadata removed",
    stderr: "not encrypted",
    mutate: (t, f) =>
      f === "dotenv"
        ? t
            .split("\n")
            .filter((l) => !l.startsWith("sops_"))
            .join("\n")
        : stripSops(t),
  },
  {
    name: "metadata-duplicated",
    formats: ["yaml"],
    exit: 2,
    what: "a second top-level sops block",
    stderr: "sops|duplicate",
    mutate: (t) => t + t.slice(t.indexOf("\nsops:") + 1),
  },
  { name: "truncated", exit: 2, what: "the file cut in half", stderr: ".", mutate: (t) => t.slice(0, Math.floor(t.length / 2)) },
  // The age key stanza.
  {
    name: "age-header-corrupted",
    exit: 4,
    what: "one character of the age stanza's header changed",
    stderr: "age1",
    mutate: (t) => m.corruptAgeArmor(t, "header"),
  },
  {
    name: "age-payload-corrupted",
    exit: 4,
    what: "one character of the age stanza's payload changed",
    stderr: "age1",
    mutate: (t) => m.corruptAgeArmor(t, "payload"),
  },
  { name: "age-enc-missing", exit: 2, what: "the age stanza's enc field removed", stderr: "enc", mutate: (t, f) => m.removeStanzaEnc(t, f, "age") },
  {
    name: "age-stanza-removed",
    exit: 2,
    what: "the only key stanza removed (no keys left)",
    stderr: "no keys",
    mutate: (t, f) => m.removeStanzas(t, f, "age"),
  },
  // KMS: the `file` context and the path the file is at.
  {
    name: "kms-context-edited",
    key: "kms",
    exit: 3,
    what: "the KMS entry's file context changed to another path",
    stderr: "bound to path",
    mutate: (t, f, c) => m.setKmsFileContext(t, f, c.rel, c.rel.replace(/[^/]+$/, "other.enc")),
  },
  {
    name: "kms-context-edited-to-match-rename",
    key: "kms",
    sealedAt: "valid",
    exit: 4,
    what: "the file renamed and its file context edited to match: KMS refuses the context",
    stderr: "KMS",
    mutate: (t, f, c) => m.setKmsFileContext(t, f, c.validRel, c.rel),
  },
  { name: "kms-renamed", key: "kms", sealedAt: "valid", exit: 3, what: "a valid KMS-sealed file renamed", stderr: "bound to path", mutate: (t) => t },
  {
    name: "kms-valid",
    dir: "copied",
    key: "kms",
    sealedAt: "valid",
    exit: 3,
    what: "a valid KMS-sealed file copied into another folder",
    stderr: "bound to path",
    mutate: (t) => t,
  },
  {
    name: "kms-context-pair-added",
    key: "kms",
    exit: 4,
    what: "an extra encryption-context pair added",
    stderr: "KMS",
    mutate: (t, f) => m.addKmsContextPair(t, f, "env", "prod"),
  },
  { name: "kms-blob-altered", key: "kms", exit: 4, what: "the KMS CiphertextBlob altered", stderr: "KMS", mutate: (t, f) => m.corruptKmsBlob(t, f) },
  { name: "kms-enc-missing", key: "kms", exit: 2, what: "the KMS entry's enc field removed", stderr: "enc", mutate: (t, f) => m.removeStanzaEnc(t, f, "kms") },
];

/** The JSON document without its "sops" member (yaml: without the sops block). */
function stripSops(t) {
  const i = t.indexOf("\nsops:");
  if (i >= 0) return t.slice(0, i + 1);
  const j = t.search(/,\s*"sops": \{/);
  if (j < 0) throw new Error("no sops member");
  return t.slice(0, j) + "\n}\n";
}
