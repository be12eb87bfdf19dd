/**
 * Every command's table, in the order `kmseal --help` lists them. Only the tables load here; a
 * command's own module (and the ops behind it) loads when that command runs.
 */
import type { CommandSpec } from "./args.js";
import { checkSpec } from "./specs/check.js";
import { completionSpec } from "./specs/completion.js";
import { decryptSpec } from "./specs/decrypt.js";
import { diffDriverSpec, textconvSpec } from "./specs/diff-driver.js";
import { editSpec } from "./specs/edit.js";
import { encryptSpec } from "./specs/encrypt.js";
import { execSpec } from "./specs/exec.js";
import { getSpec } from "./specs/get.js";
import { hookSpec } from "./specs/hook.js";
import { initSpec } from "./specs/init.js";
import { keygenSpec } from "./specs/keygen.js";
import { mergeDriverSpec, mergeSpec } from "./specs/merge.js";
import { mvSpec } from "./specs/mv.js";
import { rotateSpec, updatekeysSpec } from "./specs/rekey.js";
import { credentialProcessSpec, loginSpec, logoutSpec, whoamiSpec } from "./specs/session.js";
import { setSpec, unsetSpec } from "./specs/set.js";
import { statusSpec } from "./specs/status.js";
import { filestatusSpec } from "./specs/filestatus.js";

export const VERSION = "0.1.0";

export const COMMANDS: readonly CommandSpec[] = [
  encryptSpec,
  decryptSpec,
  editSpec,
  getSpec,
  setSpec,
  unsetSpec,
  rotateSpec,
  updatekeysSpec,
  mvSpec,
  execSpec,
  keygenSpec,
  loginSpec,
  logoutSpec,
  whoamiSpec,
  credentialProcessSpec,
  statusSpec,
  filestatusSpec,
  checkSpec,
  hookSpec,
  initSpec,
  diffDriverSpec,
  textconvSpec,
  mergeDriverSpec,
  mergeSpec,
  completionSpec(() => COMMANDS),
];

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name) === true);
}
