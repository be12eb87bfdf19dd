/**
 * The age project's CCTV test vectors (c2sp.org/CCTV/age, the testkit filippo.io/age tests against)
 * through kmseal's own X25519 decryption: every vector with an X25519 identity. Success vectors must
 * give the payload whose SHA-256 they name; every other expectation must be refused. The vectors are
 * age's data: scripts/install-peers.sh copies them into .peers/age-testkit (never committed).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { x25519Decrypt, x25519DecryptFile, x25519Identity } from "../../../src/keys/age/x25519.js";
import { REPO_ROOT } from "../../peers/harness/paths.js";
import { peersRequired } from "../../peers/harness/peers.js";

const TESTKIT = process.env["KMSEAL_AGE_TESTKIT"] ?? join(REPO_ROOT, ".peers", "age-testkit");

interface Vector {
  readonly name: string;
  readonly expect: string;
  readonly payload: string | undefined;
  readonly identities: string[];
  readonly armored: boolean;
  readonly file: Buffer;
}

function parseVector(name: string, bytes: Buffer): Vector {
  const headers: [string, string][] = [];
  let pos = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, pos);
    assert.ok(end >= 0, `${name}: no blank line before the age file`);
    const line = bytes.toString("utf8", pos, end);
    pos = end + 1;
    if (line === "") break;
    const i = line.indexOf(": ");
    headers.push([line.slice(0, i), line.slice(i + 2)]);
  }
  const get = (k: string) => headers.find(([h]) => h === k)?.[1];
  const body = bytes.subarray(pos);
  return {
    name,
    expect: get("expect") ?? "",
    payload: get("payload"),
    identities: headers.filter(([h]) => h === "identity").map(([, v]) => v),
    armored: get("armored") === "yes",
    file: get("compressed") === "zlib" ? inflateSync(body) : body,
  };
}

function decrypt(v: Vector): Buffer | null {
  const ids = v.identities.map((id) => x25519Identity(id)!);
  return v.armored ? x25519Decrypt(ids, v.file.toString("latin1")) : x25519DecryptFile(ids, v.file);
}

const present = existsSync(TESTKIT);
const skip = present ? false : `no age test vectors in ${TESTKIT} — run scripts/install-peers.sh`;
if (!present) console.log(`cctv: skipped: ${skip}`);

describe("age CCTV vectors through the native X25519 decryption", { skip: !present && !peersRequired() ? skip : false }, () => {
  if (!present) {
    it("has the vectors installed (KMSEAL_PEERS=required)", () => assert.fail(`missing ${TESTKIT}: run scripts/install-peers.sh`));
    return;
  }
  const vectors = readdirSync(TESTKIT)
    .filter((f) => !f.startsWith("."))
    .map((f) => parseVector(f, readFileSync(join(TESTKIT, f))))
    .filter((v) => v.identities.length > 0 && v.identities.every((id) => x25519Identity(id) !== null));

  it("finds the X25519 vectors", () => {
    assert.ok(vectors.length >= 80, `only ${vectors.length} X25519 vectors`);
  });

  for (const v of vectors) {
    it(`${v.name}: ${v.expect}`, () => {
      if (v.expect === "success") {
        const out = decrypt(v);
        assert.ok(out !== null, "no stanza matched");
        assert.equal(createHash("sha256").update(out).digest("hex"), v.payload);
      } else if (v.expect === "no match") {
        // Well formed, just not for these identities: null, so another key type may still open it.
        assert.equal(decrypt(v), null);
      } else {
        assert.throws(() => decrypt(v));
      }
    });
  }
});
