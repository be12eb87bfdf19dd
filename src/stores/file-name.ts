/**
 * File names: format detection and the encrypted ⇄ plaintext name rule of cli.md. The patterns carry
 * the `s` flag because a file name may hold a newline, and `a\nb.yaml` is still a YAML file.
 */
import { basename, dirname, join } from "node:path";
import type { Format } from "./store.js";

/** Format by name, after stripping a trailing `.enc`. */
export function formatOf(path: string): Format {
  let name = basename(path);
  if (name.endsWith(".enc")) name = name.slice(0, -4);
  const m = /^(.*?)\.enc(\.(?:ya?ml|json))$/s.exec(name);
  if (m !== null) name = m[1]! + m[2]!;
  if (/\.ya?ml$/i.test(name)) return "yaml";
  if (/\.json$/i.test(name)) return "json";
  if (name === ".env" || name.startsWith(".env.") || name.endsWith(".env")) return "dotenv";
  return "binary";
}

/** `config/app.yaml` → `config/app.enc.yaml`; `.env.prod` → `.env.prod.enc`; `key.pem` → `key.pem.enc`. */
export function encryptedName(path: string): string {
  const name = basename(path);
  const m = /^(.+)(\.(?:ya?ml|json))$/is.exec(name);
  const out = m !== null ? `${m[1]}.enc${m[2]}` : `${name}.enc`;
  return join(dirname(path), out);
}

/** The inverse of encryptedName, or null when the name carries no `.enc` marker. */
export function decryptedName(path: string): string | null {
  const name = basename(path);
  const m = /^(.+)\.enc(\.(?:ya?ml|json))$/is.exec(name);
  if (m !== null) return join(dirname(path), m[1]! + m[2]!);
  if (name.endsWith(".enc") && name.length > 4) return join(dirname(path), name.slice(0, -4));
  return null;
}

export function isEncryptedName(path: string): boolean {
  return decryptedName(path) !== null;
}
