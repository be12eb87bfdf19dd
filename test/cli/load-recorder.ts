/**
 * Test-only: `node --import ./load-recorder.js ...` with KMSEAL_LOAD_LOG=FILE appends every module
 * URL the process resolves (static and dynamic imports) to FILE, so a test can assert that a
 * command never loaded the AWS SDK or age. The bundled CLI is classic scripts loaded by require(),
 * which no resolve hook sees: the scripts in require's cache are appended as file URLs at exit.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";
import { isMainThread } from "node:worker_threads";

interface Resolved {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

const log = process.env["KMSEAL_LOAD_LOG"];

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<Resolved> {
  const resolved = await next(specifier, context);
  if (log !== undefined && log !== "") appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}

// The hooks run on their own thread, which loads this module again: register from the main thread only.
if (isMainThread && log !== undefined && log !== "") {
  register(import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    const scripts = Object.keys(cache).map((path) => `${pathToFileURL(path).href}\n`);
    if (scripts.length > 0) appendFileSync(log, scripts.join(""));
  });
}
