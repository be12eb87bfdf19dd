/**
 * rotate (new data key, every value re-encrypted) and updatekeys (same data key, re-wrapped for the
 * keys the rule names now). Both take the keys from the file's `.kmsrc` rule, or keep the file's own.
 */
import { resolve } from "node:path";
import { KmsealError } from "../core/errors.js";
import { metadataToPlain, type Metadata } from "../core/metadata.js";
import { projectOf } from "../config/project.js";
import { ruleFor } from "../config/rules.js";
import { formatOf } from "../stores/file-name.js";
import { decryptedName } from "../stores/file-name.js";
import { wrapAll } from "../keys/data-key.js";
import { recordId } from "../keys/key-source.js";
import { encryptBytes } from "./encrypt.js";
import { openBytes } from "./decrypt.js";
import { keySourcesFor } from "./keys-for.js";
import type { KeyServices } from "./key-services.js";
import { expectedPath } from "./path-binding.js";
import { planKeys } from "./key-diff.js";
import { writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";

export interface RekeyOptions {
  readonly configPath?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

/** The keys a file should have now: its rule's, else its own current ones. */
function wantedKeys(file: string, meta: Metadata, configPath: string | undefined) {
  const project = projectOf(resolve(file), configPath);
  const rule = project.config !== null ? ruleFor(project.config, resolve(file)) : undefined;
  if (rule !== undefined && (rule.kms.length > 0 || rule.age.length > 0)) return { rule, kms: rule.kms, age: rule.age, context: rule.context };
  const kms = meta.keys.filter((k) => k.type === "kms");
  const context: Record<string, string> = { ...(kms[0]?.context ?? {}) };
  delete context["file"];
  return { rule, kms: kms.map(recordId), age: meta.keys.filter((k) => k.type === "age").map(recordId), context };
}

export async function rotateFile(file: string, opts: RekeyOptions, services: KeyServices): Promise<{ path: string }> {
  return withFileLock(file, () => rotateUnlocked(file, opts, services));
}

async function rotateUnlocked(file: string, opts: RekeyOptions, services: KeyServices): Promise<{ path: string }> {
  const format = formatOf(file);
  const { doc, opened, meta, dataKey } = await openBytes(await readInput(file), format, file, { configPath: opts.configPath }, services);
  dataKey.fill(0);
  const plaintext = doc.render(opened.edits, null);
  const want = wantedKeys(file, meta, opts.configPath);
  const bytes = await encryptBytes(plaintext, { format, kms: want.kms, age: want.age, context: want.context, configPath: opts.configPath }, file, decryptedName(file) ?? file, null, services);
  await writeAtomic(file, bytes);
  return { path: file };
}

export interface KeyChange {
  readonly path: string;
  readonly added: string[];
  readonly removed: string[];
  readonly written: boolean;
}

export async function updateKeys(file: string, opts: RekeyOptions, services: KeyServices): Promise<KeyChange> {
  return opts.dryRun ? updateUnlocked(file, opts, services) : withFileLock(file, () => updateUnlocked(file, opts, services));
}

async function updateUnlocked(file: string, opts: RekeyOptions, services: KeyServices): Promise<KeyChange> {
  const format = formatOf(file);
  const input = await readInput(file);
  const { doc, meta, dataKey } = await openBytes(input, format, file, { configPath: opts.configPath }, services);
  try {
    const want = wantedKeys(file, meta, opts.configPath);
    const context = { ...want.context, file: expectedPath(file, opts.configPath) };
    const sources = await keySourcesFor({ kms: want.kms, age: want.age }, want.rule, context, services);
    const { keep, wrapped, fresh, added, removed } = await planKeys(meta.keys, sources, dataKey);
    if (opts.dryRun || (added.length === 0 && removed.length === 0)) return { path: file, added, removed, written: false };
    const keys = [...keep, ...wrapped, ...(await wrapAll(fresh, dataKey))];
    if (keys.length === 0) throw new KmsealError("usage", "the rule names no keys; refusing to leave the file without any");
    // Values, lastmodified and mac stay as they are: only the key stanzas change (as sops does).
    const edits = new Array(doc.leaves.length);
    const out = doc.render(edits, metadataToPlain({ ...meta, keys }));
    await writeAtomic(file, out);
    return { path: file, added, removed, written: true };
  } finally {
    dataKey.fill(0);
  }
}
