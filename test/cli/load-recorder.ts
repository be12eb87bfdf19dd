/**
 * Test-only: `node --import ./load-recorder.js ...` with KMSEAL_LOAD_LOG=FILE appends every module
 * URL the process resolves (static and dynamic imports) to FILE, so a test can assert that a
 * command never loaded the AWS SDK or age.
 */
import { appendFileSync } from "node:fs";
import { register } from "node:module";
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
if (isMainThread && log !== undefined && log !== "") register(import.meta.url);
