/**
 * Plain file → sealed file: rule → keys → data key → seal → emit → one atomic write.
 * When the target already holds an encrypted version made with the same keys, its data key and the
 * ciphertext of every unchanged value are kept, so diffs show only what changed.
 */
import { resolve } from "node:path";
import { compilePolicy, DEFAULT_RULE } from "../core/policy.js";
import { seal } from "../core/document.js";
import { KmsealError, UsageError } from "../core/errors.js";
import { metadataFromPlain, metadataToPlain, SOPS_VERSION, type KeyRecord, type Metadata } from "../core/metadata.js";
import { projectOf } from "../config/project.js";
import { projectPath, ruleFor } from "../config/rules.js";
import { formatOf, encryptedName } from "../stores/file-name.js";
import { storeFor } from "../stores/registry.js";
import type { Format } from "../stores/store.js";
import { generateDataKey, wrapAll } from "../keys/data-key.js";
import type { KeySource } from "../keys/key-source.js";
import { keySourcesFor, type KeyChoice } from "./keys-for.js";
import type { KeyServices } from "./key-services.js";
import { readIfExists, writeAtomic } from "../platform/atomic-write.js";
import { withFileLock } from "../platform/lock.js";
import { readInput } from "../platform/read-input.js";
import { outputTarget } from "./output-target.js";
import { openSealed } from "./open-sealed.js";

export interface EncryptOptions extends KeyChoice {
  readonly format?: Format | undefined;
  /** Extra encryption-context pairs (the `file` pair is always set by kmseal). */
  readonly context?: Readonly<Record<string, string>> | undefined;
  readonly output?: string | undefined;
  readonly inPlace?: boolean | undefined;
  readonly stdout?: boolean | undefined;
  /** The path the encrypted file will live at, for the context, when it cannot be derived (stdin). */
  readonly as?: string | undefined;
  readonly configPath?: string | undefined;
}

export interface EncryptResult {
  /** Where the encrypted file was written; null when it went to stdout. */
  readonly path: string | null;
  readonly bytes: Uint8Array;
  /** False when the target already held exactly these bytes (left untouched). */
  readonly written: boolean;
}

export async function encryptFile(file: string, opts: EncryptOptions, services: KeyServices): Promise<EncryptResult> {
  const input = await readInput(file);
  const target = targetOf(file, opts);
  const contextPath = opts.as ?? target ?? (file === "-" ? undefined : encryptedName(file));
  const format = opts.format ?? formatOf(file === "-" ? (contextPath ?? "") : file);
  const rulePath = file === "-" ? contextPath : file;
  try {
    if (target === null) return { path: null, bytes: await encryptBytes(input, { ...opts, format }, contextPath, rulePath, null, services), written: true };
    // Locked from reading the old target to the rename: the old ciphertexts it reuses must be the current ones.
    return await withFileLock(target, async () => {
      const previous = await readIfExists(target);
      const bytes = await encryptBytes(input, { ...opts, format }, contextPath, rulePath, previous, services);
      if (previous !== null && previous.equals(bytes)) return { path: target, bytes, written: false };
      await writeAtomic(target, bytes);
      return { path: target, bytes, written: true };
    });
  } catch (err) {
    if (err instanceof KmsealError) err.inFile(file === "-" ? "(stdin)" : file);
    throw err;
  }
}

function targetOf(file: string, opts: EncryptOptions): string | null {
  return outputTarget(file, opts, encryptedName);
}

/**
 * Encrypts a document's bytes. `contextPath` is where the encrypted file lives (the `file` context);
 * `rulePath` is the name rules are matched against; `previous` is the target's current content.
 */
export async function encryptBytes(
  input: Uint8Array,
  opts: EncryptOptions & { format: Format },
  contextPath: string | undefined,
  rulePath: string | undefined,
  previous: Uint8Array | null,
  services: KeyServices,
): Promise<Uint8Array> {
  const store = storeFor(opts.format);
  const doc = store.parse(input);
  if (doc.metadata !== null) {
    throw new UsageError("the file is already encrypted (it has sops metadata)", { hint: "decrypt it first, or use `kmseal edit` / `kmseal set` to change values" });
  }
  const project = projectOf(resolve(contextPath ?? rulePath ?? "."), opts.configPath);
  const rule = project.config !== null && rulePath !== undefined ? ruleFor(project.config, resolve(rulePath)) : undefined;
  const context: Record<string, string> = { ...(rule?.context ?? {}), ...(opts.context ?? {}) };
  if (contextPath !== undefined) context["file"] = projectPath(project.root, resolve(contextPath));
  const uncovered = project.config !== null ? { kmsrc: project.config.file, path: rulePath !== undefined ? projectPath(project.root, resolve(rulePath)) : undefined } : undefined;
  const sources = await keySourcesFor(opts, rule, context, services, uncovered);
  if (sources.some((s) => s.type === "kms") && contextPath === undefined) {
    throw new UsageError("encrypting stdin with a KMS key needs the file's path for its encryption context", { hint: "pass --as PATH (the path the encrypted file will have) or -o PATH" });
  }
  const crypt = rule?.crypt ?? DEFAULT_RULE;
  const policy = compilePolicy(crypt);
  const macOnlyEncrypted = rule?.macOnlyEncrypted ?? false;
  const reuse = previous !== null ? await reusable(previous, opts.format, sources, context, crypt.kind + crypt.value, macOnlyEncrypted, services) : null;
  const dataKey = reuse?.dataKey ?? generateDataKey();
  try {
    const sealed = seal(doc.leaves, {
      dataKey,
      policy,
      encryptComments: rule?.encryptComments ?? true,
      macOnlyEncrypted,
      ...(reuse !== null ? { previous: reuse.previous } : {}),
    });
    const keys: readonly KeyRecord[] = reuse?.meta.keys ?? (await wrapAll(sources, dataKey));
    const meta: Metadata = {
      keys,
      lastmodified: sealed.lastmodified,
      mac: sealed.mac,
      rule: crypt,
      macOnlyEncrypted,
      version: reuse !== null && sealed.unchanged ? reuse.meta.version : SOPS_VERSION,
      extra: reuse?.meta.extra ?? {},
    };
    return doc.render(sealed.edits, metadataToPlain(meta));
  } finally {
    dataKey.fill(0);
  }
}

/** The existing target's data key and ciphertexts, when it was sealed with exactly these keys. */
async function reusable(previous: Uint8Array, format: Format, sources: readonly KeySource[], context: Record<string, string>, crypt: string, macOnly: boolean, services: KeyServices) {
  let meta: Metadata;
  let doc;
  try {
    doc = storeFor(format).parse(previous);
    if (doc.metadata === null) return null;
    meta = metadataFromPlain(doc.metadata);
  } catch {
    return null; // not a readable encrypted file: it is simply replaced
  }
  if (meta.rule.kind + meta.rule.value !== crypt || meta.macOnlyEncrypted !== macOnly || !sameKeys(meta.keys, sources, context)) return null;
  try {
    const opened = await openSealed(doc, meta, services);
    return { dataKey: opened.dataKey, meta, previous: { stash: opened.opened.stash, macHex: opened.opened.macHex, lastmodified: meta.lastmodified, mac: meta.mac } };
  } catch (err) {
    services.notice(`the existing encrypted file could not be opened (${(err as Error).message.split("\n")[0]}); it is replaced with a fresh encryption`);
    return null;
  }
}

function sameKeys(records: readonly KeyRecord[], sources: readonly KeySource[], context: Record<string, string>): boolean {
  const kms = records.filter((r) => r.type === "kms");
  const age = records.filter((r) => r.type === "age");
  const wantKms = sources.filter((s) => s.type === "kms");
  const wantAge = new Set(sources.filter((s) => s.type === "age").map((s) => s.id));
  if (kms.length !== wantKms.length || age.length !== wantAge.size) return false;
  if (!age.every((r) => wantAge.has(r.recipient))) return false;
  const ctx = JSON.stringify(Object.entries(context).sort());
  return wantKms.every((s, i) => {
    const r = kms[i]!;
    if (JSON.stringify(Object.entries(r.context ?? {}).sort()) !== ctx) return false;
    // An alias cannot be compared without a KMS call; the record holds the key it resolved to.
    return r.arn === s.id || r.arn.endsWith(`:key/${s.id}`) || s.id.startsWith("alias/") || s.id.includes(":alias/");
  });
}
