/**
 * fast-check arbitraries for whole documents as text — YAML, JSON and dotenv — with unicode keys and
 * values, nesting, typed scalars, comments and multi-line strings, and a reader that gives each
 * text's data so a round trip can be compared by meaning where the exact spelling may change.
 */
import fc from "fast-check";
import { parse as parseYaml } from "yaml";

/** YAML double-quoted form: every character YAML does not allow raw is escaped. */
export function yamlQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0xfeff || cp === 0x2028 || cp === 0x2029 || cp === 0xfffe || cp === 0xffff) {
      out += cp > 0xffff ? "\\U" + cp.toString(16).padStart(8, "0") : "\\u" + cp.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

type YamlNode =
  | { kind: "scalar"; text: string }
  | { kind: "block"; lines: string[]; chomp: "" | "-" }
  | { kind: "map"; entries: YamlEntry[] }
  | { kind: "list"; items: YamlNode[] };
interface YamlEntry {
  key: string;
  value: YamlNode;
  comment: string | null;
}

const commentText = fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => s.replace(/[\r\n\u0085\u2028\u2029]/g, " "));
const blockLine = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
  .map((s) => s.replace(/[\r\n\u0085\u2028\u2029\t#]/g, "x").replace(/^\s+|\s+$/g, "") || "x");
const yamlScalar: fc.Arbitrary<YamlNode> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 24 }).map((s) => ({ kind: "scalar" as const, text: yamlQuote(s) })),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((n) => ({ kind: "scalar" as const, text: String(n) })),
  fc
    .double({ min: -1e6, max: 1e6, noNaN: true })
    .filter((x) => !Number.isInteger(x) && (Math.abs(x) > 1e-6 || x === 0))
    .map((x) => ({ kind: "scalar" as const, text: String(x) })),
  fc.constantFrom("true", "false", "null").map((text) => ({ kind: "scalar" as const, text })),
  fc
    .record({ lines: fc.array(blockLine, { minLength: 1, maxLength: 4 }), chomp: fc.constantFrom("" as const, "-" as const) })
    .map((b) => ({ kind: "block" as const, ...b })),
);

const yamlKey = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 });
const { node: yamlNode } = fc.letrec<{ node: YamlNode; map: YamlNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    yamlScalar,
    tie("map"),
    fc.array(fc.oneof(yamlScalar, tie("map")), { maxLength: 3 }).map((items) => ({ kind: "list" as const, items })),
  ),
  map: fc
    .uniqueArray(fc.record({ key: yamlKey, value: tie("node"), comment: fc.option(commentText, { freq: 4 }) }), { selector: (e) => e.key, maxLength: 4 })
    .map((entries) => ({ kind: "map" as const, entries })),
}));

function renderBlock(b: { lines: string[]; chomp: string }, pad: string): string {
  return `|${b.chomp}\n` + b.lines.map((l) => `${pad}${l}\n`).join("");
}

function renderEntries(entries: readonly YamlEntry[], indent: number, firstPrefix?: string): string {
  const pad = " ".repeat(indent);
  return entries
    .map((e, i) => {
      const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : pad;
      const comment = e.comment !== null ? `${i === 0 && firstPrefix !== undefined ? "" : pad}# ${e.comment}\n` : "";
      const head = `${lead}${yamlQuote(e.key)}:`;
      return (i === 0 && firstPrefix !== undefined ? "" : comment) + head + renderValue(e.value, indent);
    })
    .join("");
}

function renderValue(v: YamlNode, indent: number): string {
  const inner = " ".repeat(indent + 2);
  if (v.kind === "scalar") return ` ${v.text}\n`;
  if (v.kind === "block") return " " + renderBlock(v, inner);
  if (v.kind === "map") return v.entries.length === 0 ? " {}\n" : "\n" + renderEntries(v.entries, indent + 2);
  if (v.items.length === 0) return " []\n";
  return "\n" + v.items.map((item) => renderItem(item, indent + 2)).join("");
}

function renderItem(item: YamlNode, indent: number): string {
  const pad = " ".repeat(indent);
  if (item.kind === "map" && item.entries.length > 0) return renderEntries(item.entries, indent + 2, `${pad}- `);
  return `${pad}-${renderValue(item, indent)}`;
}

export const yamlDocument: fc.Arbitrary<string> = fc
  .uniqueArray(fc.record({ key: yamlKey.filter((k) => k !== "sops"), value: yamlNode, comment: fc.option(commentText, { freq: 3 }) }), {
    selector: (e) => e.key,
    maxLength: 6,
  })
  .map((entries) => renderEntries(entries, 0));

const jsonLeaf = fc.oneof(
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: "binary", maxLength: 10 }), tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

export const jsonDocument: fc.Arbitrary<string> = fc
  .tuple(
    fc.dictionary(
      fc.string({ unit: "binary", maxLength: 10 }).filter((k) => k !== "sops"),
      jsonValue,
      { maxKeys: 6, noNullPrototype: true },
    ),
    fc.constantFrom(2, 4, "\t"),
  )
  .map(([obj, indent]) => JSON.stringify(obj, null, indent) + "\n");

const envKey = fc.stringMatching(/^(export )?[A-Za-z_][A-Za-z0-9_]{0,12}$/).filter((k) => !k.replace(/^export /, "").startsWith("sops_"));
const envValue = fc.string({ unit: "binary", maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, " "));
const envLine = fc.oneof(
  fc.tuple(envKey, envValue).map(([k, v]) => ({ key: k, text: `${k}=${v}` })),
  commentText.map((c) => ({ key: null, text: `#${c}` })),
  fc.constant({ key: null, text: "" }),
);

export const dotenvDocument: fc.Arbitrary<string> = fc.array(envLine, { maxLength: 8 }).map((lines) => {
  const seen = new Set<string>();
  return lines
    .filter((l) => l.key === null || (!seen.has(l.key) && seen.add(l.key)))
    .map((l) => l.text + "\n")
    .join("");
});

/** The data of a document: what must survive a round trip even where the spelling may change. */
export function dataOf(format: "yaml" | "json" | "dotenv" | "binary", bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString("utf8");
  if (format === "yaml") return parseYaml(text, { version: "1.2", uniqueKeys: false }) ?? {};
  if (format === "json") return JSON.parse(text) as unknown;
  if (format === "dotenv") return text.split("\n").filter((l) => l.includes("=") && !l.startsWith("#"));
  return Buffer.from(bytes).toString("base64");
}

/** The comments of a YAML or dotenv text, in order. */
export function commentsOf(text: string): string[] {
  return text
    .split("\n")
    .map((l) => /^\s*#(.*)$/.exec(l)?.[1]?.trim())
    .filter((c): c is string => c !== undefined);
}
