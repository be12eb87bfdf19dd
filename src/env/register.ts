/**
 * `node --import kmseal/config app.js`: loads `.env.enc` (or the comma-separated files in
 * KMSEAL_CONFIG_PATH) into process.env before the program starts; set variables win unless
 * KMSEAL_CONFIG_OVERRIDE=1. If the files cannot be loaded the program does not start: running
 * without its secrets is worse than not running.
 */
import { KmsealError } from "../core/errors.js";
import { config } from "./load-env.js";

const paths = (process.env["KMSEAL_CONFIG_PATH"] ?? ".env.enc")
  .split(",")
  .map((p) => p.trim())
  .filter((p) => p !== "");
try {
  await config({ path: paths, override: process.env["KMSEAL_CONFIG_OVERRIDE"] === "1" });
} catch (err) {
  if (!(err instanceof KmsealError)) throw err;
  process.stderr.write(`kmseal/config: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ""}`);
  process.exit(1);
}
