// Preload for the lint tools (node --import): typescript-eslint (peer typescript <6.1) and
// dependency-cruiser (typescript <7) drive TypeScript's JavaScript compiler API, which TypeScript 7 —
// the compiler that builds kmseal — no longer ships. They get TypeScript 6 instead, installed as the
// devDependency "typescript-classic": every `typescript` / `typescript/…` they load, by require()
// (typescript-eslint is CommonJS) or by import() (dependency-cruiser is ESM), resolves to it.
// The build and the tests never load this file, so they keep TypeScript 7.
import Module, { register } from "node:module";

const redirect = (request) =>
  request === "typescript" || request.startsWith("typescript/") ? `typescript-classic${request.slice("typescript".length)}` : request;

// require() has no public resolve hook on Node 20 (module.registerHooks arrived in 22.15).
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, redirect(request), ...rest);
};

const hook = `export async function resolve(specifier, context, next) {
  const to = ${redirect.toString()};
  return next(to(specifier), context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
