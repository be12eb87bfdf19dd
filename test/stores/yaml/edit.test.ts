import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../../src/core/errors.js";
import { parseKeyPath } from "../../../src/stores/edit/key-path.js";
import { parseTyped, type ValueType } from "../../../src/stores/edit/typed.js";
import { yamlEditor, yamlGet } from "../../../src/stores/yaml/edit.js";

const DOC = `# settings
db:
  user: admin   # who
  password: 's3cr3t'
  port: 5432
  note: |
    line one
    line two
tags: [a, b]
empty:
hosts:
  - name: x
    port: 1
  - y
`;

const set = (path: string, value: string, type: ValueType = "str", text = DOC) => yamlEditor.set(text, parseKeyPath(path), parseTyped(type, value));
const unset = (path: string, text = DOC) => yamlEditor.unset(text, parseKeyPath(path));
/** The lines that differ, as [before, after] pairs (same line count expected). */
function changed(before: string, after: string): [string, string][] {
  const a = before.split("\n");
  const b = after.split("\n");
  assert.equal(a.length, b.length, after);
  return a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]!] as [string, string]]));
}

describe("yaml text editor", () => {
  it("gets strings raw, numbers as written, null as null and collections as JSON", () => {
    assert.equal(yamlGet(DOC, ["db", "password"]), "s3cr3t");
    assert.equal(yamlGet(DOC, ["db", "port"]), "5432");
    assert.equal(yamlGet(DOC, ["db", "note"]), "line one\nline two\n");
    assert.equal(yamlGet(DOC, ["empty"]), "null");
    assert.equal(yamlGet(DOC, ["tags"]), '["a","b"]');
    assert.equal(yamlGet(DOC, ["hosts", "0", "port"]), "1");
    assert.equal(yamlGet(DOC, ["nope"]), undefined);
    assert.equal(yamlGet(DOC, ["db", "user", "x"]), undefined);
    assert.equal(yamlGet(DOC, ["hosts", "5"]), undefined);
  });

  it("replaces a scalar in place, keeping its quoting and the comment after it", () => {
    assert.deepEqual(changed(DOC, set("db.user", "root").text), [["  user: admin   # who", "  user: root   # who"]]);
    assert.deepEqual(changed(DOC, set("db.password", "it's").text), [["  password: 's3cr3t'", "  password: 'it''s'"]]);
    assert.deepEqual(changed(DOC, set("tags.1", "c").text), [["tags: [a, b]", "tags: [a, c]"]]);
  });

  it("quotes a string that would otherwise read as another type, and writes typed values plain", () => {
    assert.deepEqual(changed(DOC, set("db.port", "5433").text), [["  port: 5432", '  port: "5433"']]);
    assert.deepEqual(changed(DOC, set("db.port", "5433", "int").text), [["  port: 5432", "  port: 5433"]]);
    assert.deepEqual(changed(DOC, set("db.user", "true").text), [["  user: admin   # who", '  user: "true"   # who']]);
    assert.deepEqual(changed(DOC, set("db.user", "T", "bool").text), [["  user: admin   # who", "  user: true   # who"]]);
  });

  it("reports no change when the value is already there", () => {
    assert.deepEqual(set("db.port", "5432", "int"), { text: DOC, changed: false });
    assert.equal(set("db.password", "s3cr3t").changed, false);
    assert.equal(set("db.port", "5432").changed, true, "a string is not the int 5432");
  });

  it("keeps a block scalar a block scalar", () => {
    const out = set("db.note", "first\nsecond\n").text;
    assert.match(out, / {2}note: \|\n {4}first\n {4}second\ntags:/);
  });

  it("adds a new key after the mapping's last entry, with its indentation, creating maps on the way", () => {
    assert.match(set("db.host", "h").text, / {4}line two\n {2}host: h\ntags:/);
    assert.ok(set("top", "v").text.endsWith("  - y\ntop: v\n"));
    assert.ok(set("a.b.c", '{"x": [1, 2.5]}', "json").text.endsWith("a:\n  b:\n    c: {x: [1, 2.5]}\n"));
    assert.match(set("hosts.0.tls", "true", "bool").text, / {4}port: 1\n {4}tls: true\n {2}- y/);
    assert.ok(set("hosts.-", "z").text.endsWith("  - y\n  - z\n"));
    assert.match(set("tags.2", "c").text, /tags: \[a, b, c\]/);
    assert.match(set("empty", "3", "int").text, /\nempty: 3\n/);
    assert.equal(set("k", "v", "str", "").text, "k: v\n");
    assert.match(set("empty.host.port", "v").text, /\nempty: \{host: \{port: v\}\}\n/);
  });

  it("replaces a whole mapping or list with another value", () => {
    assert.match(set("db", "gone").text, /^# settings\ndb:\n {2}gone\ntags:/);
    assert.match(set("tags", '{"k": "v"}', "json").text, /\ntags: \{k: v\}\n/);
  });

  it("removes an entry's lines, or leaves {} / [] for the last one", () => {
    assert.deepEqual(unset("db.user")!.text.split("\n").length, DOC.split("\n").length - 1);
    assert.doesNotMatch(unset("db.user")!.text, /admin/);
    assert.doesNotMatch(unset("db")!.text, /password|line one/);
    assert.match(unset("tags.0")!.text, /tags: \[b\]/);
    assert.match(unset("tags.1")!.text, /tags: \[a\]/);
    assert.match(unset("hosts.0.name")!.text, / {2}- port: 1\n {2}- y/);
    assert.match(unset("hosts.0")!.text, /hosts:\n {2}- y\n$/);
    assert.equal(unset("only", "only: 1\n")!.text, "{}\n");
    assert.equal(unset("nope"), null);
  });

  it("changes an anchored value where it is defined, so its aliases follow", () => {
    assert.equal(set("a.c", "2", "int", "a: &x {c: 1}\nb: *x\n").text, "a: &x {c: 2}\nb: *x\n");
  });

  it("refuses paths through a value, out of range, or into an alias", () => {
    assert.throws(() => set("db.user.x", "v"), UsageError);
    assert.throws(() => set("tags.5", "v"), UsageError);
    assert.throws(() => set("b.c", "v", "str", "a: &x {c: 1}\nb: *x\n"), /alias/);
    assert.throws(() => set("a", "v", "str", "a: 1\n---\nb: 2\n"), /2 YAML documents/);
  });
});
