import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../../src/core/errors.js";
import { parseKeyPath } from "../../../src/stores/edit/key-path.js";
import { jsonEditor, jsonGet } from "../../../src/stores/json/edit.js";
import { parseTyped, type ValueType } from "../../../src/stores/edit/typed.js";

const DOC = `{
  "db": {
    "user": "admin",
    "port": 5432,
    "big": 12345678901234567890123,
    "tags": ["a", "b"]
  },
  "empty": {},
  "z": null
}
`;

const set = (path: string, value: string, type: ValueType = "str", text = DOC) => jsonEditor.set(text, parseKeyPath(path), parseTyped(type, value)).text;
const unset = (path: string, text = DOC) => jsonEditor.unset(text, parseKeyPath(path))?.text;

describe("json text editor", () => {
  it("gets strings raw, numbers with their exact digits and collections as JSON", () => {
    assert.equal(jsonGet(DOC, ["db", "user"]), "admin");
    assert.equal(jsonGet(DOC, ["db", "big"]), "12345678901234567890123");
    assert.equal(jsonGet(DOC, ["db", "tags"]), '["a","b"]');
    assert.equal(jsonGet(DOC, ["z"]), "null");
    assert.equal(jsonGet(DOC, ["db", "tags", "1"]), "b");
    assert.equal(jsonGet(DOC, ["db", "nope"]), undefined);
  });

  it("replaces only the value's characters", () => {
    assert.equal(set("db.user", "root"), DOC.replace('"admin"', '"root"'));
    assert.equal(set("db.port", "1", "int"), DOC.replace("5432", "1"));
    assert.equal(set("db.port", "1", "float"), DOC.replace("5432", "1.0"));
    assert.equal(set("z", '{"a": [true, null]}', "json"), DOC.replace('"z": null', '"z": {"a": [true, null]}'));
  });

  it("adds a member with the object's indentation and layout", () => {
    assert.equal(set("db.new", "x"), DOC.replace('"tags": ["a", "b"]', '"tags": ["a", "b"],\n    "new": "x"'));
    assert.equal(set("top", "x"), DOC.replace('"z": null', '"z": null,\n  "top": "x"'));
    assert.equal(set("db.tags.-", "c"), DOC.replace('["a", "b"]', '["a", "b", "c"]'));
    assert.equal(set("empty.k", "v"), DOC.replace('"empty": {}', '"empty": {"k": "v"}'));
    assert.equal(set("n.m", "true", "bool"), DOC.replace('"z": null', '"z": null,\n  "n": {"m": true}'));
    assert.equal(set("c", "x", "str", '{"a":1,"b":2}'), '{"a":1,"b":2,"c":"x"}');
    assert.equal(set("c", "x", "str", '{\r\n\t"a": 1\r\n}'), '{\r\n\t"a": 1,\r\n\t"c": "x"\r\n}');
    assert.equal(set("c", "x", "str", "{}\n"), '{\n  "c": "x"\n}\n');
    assert.equal(set("z.a.b", "x"), DOC.replace('"z": null', '"z": {"a": {"b": "x"}}'));
  });

  it("removes a member with its comma", () => {
    assert.equal(unset("db.user"), DOC.replace('"user": "admin",\n    ', ""));
    assert.equal(unset("db.tags"), DOC.replace(',\n    "tags": ["a", "b"]', ""));
    assert.equal(unset("db.tags.0"), DOC.replace('["a", "b"]', '["b"]'));
    assert.equal(unset("a", '{"a": 1}'), "{}");
    assert.equal(unset("nope"), undefined);
  });

  it("reports no change for the same value, and refuses impossible paths and values", () => {
    assert.equal(jsonEditor.set(DOC, ["db", "port"], parseTyped("int", "5432")).changed, false);
    assert.throws(() => set("db.user.x", "v"), UsageError);
    assert.throws(() => set("db.tags.9", "v"), UsageError);
    assert.throws(() => set("db.port", "inf", "float"), /infinity/);
    assert.throws(() => parseTyped("json", "{nope"), /not valid JSON/);
    assert.throws(() => parseTyped("int", "1.5"), /integer/);
  });
});
