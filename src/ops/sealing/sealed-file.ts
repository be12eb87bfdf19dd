/**
 * The one read path and the one set of write paths of a sealed (sops) file, as sops has one
 * DecryptTree and one EncryptTree. Reading: parse → metadata → path check → unwrap the data key →
 * open (decrypt + MAC) → the caller's work → the data key wiped, whatever happened. Writing: seal
 * a fresh plaintext, reseal a changed plaintext keeping unchanged ciphertexts, or rewrite only the
 * key records; each ends in `render` below, so what must hold on every write is said once.
 *
 * Key and rule code is loaded only by the paths that need it: a decrypt of a file without KMS keys
 * never loads the `.kmsrc` rule matcher, and a JSON or dotenv file never loads the YAML library.
 */
import { open, seal, sealedValue, type Opened, type Sealed } from "../../core/document.js";
import { FormatError, KmsealError, UsageError } from "../../core/errors.js";
import { checkManifest, manifestBody, MANIFEST_KEY, openManifest, sealManifest } from "../../core/manifest.js";
import { metadataFromPlain, metadataToPlain, SOPS_VERSION, type KeyRecord, type Metadata, type PlainObject } from "../../core/metadata.js";
import { compilePolicy, DEFAULT_RULE } from "../../core/policy.js";
import { CONFLICT_FIELD, conflictRecord, hasConflictMarkers } from "../../core/conflict.js";
import { COMMENT_RULE_KINDS, type CryptSetting } from "../../core/crypt-setting.js";
import { displayPath, type Edit, type Leaf } from "../../core/tree.js";
import { generateDataKey, unwrapAny, wrapAll } from "../../keys/data-key.js";
import { loadStore } from "../../stores/registry.js";
import { shellQuote } from "../../platform/shell-quote.js";
import type { Format, Store, StoreDocument } from "../../stores/store.js";
import type { KeyServices } from "../keys/services.js";
import type { PlanOptions } from "./plan.js";

/** A parsed sealed document whose data key has not been recovered. */
export interface SealedFile {
  readonly format: Format;
  readonly doc: StoreDocument;
  readonly meta: Metadata;
}

/** A sealed file with its values opened; valid only inside the `withOpened` callback that received it. */
export interface OpenedFile extends SealedFile {
  readonly opened: Opened;
  /** Wiped when the callback returns. */
  readonly dataKey: Uint8Array;
  /** The decrypted document (rendered once; later calls return the same bytes). */
  plaintext(): Uint8Array;
}

export interface ReadOptions {
  /** The file's path, checked against its KMS `file` context; undefined skips the local check (stdin, git's temporary copies). */
  readonly path?: string | undefined;
  /** Read as if the file were at this project-relative path (deliberate copies). */
  readonly as?: string | undefined;
  readonly configPath?: string | undefined;
  /**
   * The plaintext goes to a program or a file (decrypt, exec, the loader): a file with an unresolved
   * merge conflict is refused, since its values may hold both versions between conflict markers.
   */
  readonly refuseConflicts?: boolean | undefined;
}

/** Parses a sealed document; `notSealed` is the error for a file without sops metadata. */
export async function parseSealed(input: Uint8Array, format: Format, notSealed?: () => KmsealError): Promise<SealedFile> {
  const doc = (await loadStore(format)).parse(input);
  if (doc.metadata === null)
    throw notSealed?.() ?? new UsageError("the file is not encrypted (it has no sops metadata)", { hint: "encrypt it with `kmseal encrypt`" });
  return { format, doc, meta: metadataFromPlain(doc.metadata) };
}

/** Parses, checks and opens a sealed document, runs `use` on it, and wipes the data key afterwards. */
export async function withOpened<T>(
  input: Uint8Array,
  format: Format,
  opts: ReadOptions,
  services: KeyServices,
  use: (file: OpenedFile) => T | Promise<T>,
): Promise<T> {
  const file = await parseSealed(input, format);
  // Only KMS keys are bound to a path; the check (and the .kmsrc it reads) is loaded only for them.
  if ((opts.path !== undefined || opts.as !== undefined) && file.meta.keys.some((k) => k.type === "kms")) {
    const { checkPathBinding } = await import("./path-binding.js");
    checkPathBinding(file.meta, opts.path ?? ".", { as: opts.as, configPath: opts.configPath });
  }
  return withOpenedFile(
    file,
    services,
    opts.path,
    opts.refuseConflicts === true
      ? (f) => {
          refuseConflicted(f, opts.path);
          return use(f);
        }
      : use,
  );
}

/** Refuses (exit 3) a file that carries the merge driver's conflict record or conflict markers in a value. */
export function refuseConflicted(file: Pick<OpenedFile, "format" | "meta" | "opened" | "doc">, name: string | undefined): void {
  const record = conflictRecord(file.meta);
  // A binary file is never merged into markers (merge.ts keeps one side); its bytes are the user's.
  const i =
    file.format === "binary"
      ? -1
      : file.opened.values.findIndex(
          (v, n) => v.type === "str" && file.doc.leaves[n]?.kind === "value" && hasConflictMarkers(Buffer.from(v.bytes).toString("utf8")),
        );
  if (record === undefined && i < 0) return;
  const where = i >= 0 ? { keyPath: displayPath(file.doc.leaves[i]!.path) } : {};
  const what =
    record !== undefined
      ? `the file carries the merge driver's conflict record (${record})`
      : "a value holds merge conflict markers (<<<<<<< / ======= / >>>>>>>)";
  const edit = `kmseal edit ${name !== undefined ? shellQuote(name) : "FILE"}`;
  throw new KmsealError("integrity", `${what}; its values are not used until it is resolved`, {
    ...where,
    hint: `resolve it with \`${edit}\` (keep one version of each marked value and delete the marker lines), then git add it`,
  });
}

async function withOpenedFile<T>(file: SealedFile, services: KeyServices, name: string | undefined, use: (file: OpenedFile) => T | Promise<T>): Promise<T> {
  const { dataKey } = await unwrapAny(file.meta.keys, await services.unwrappers());
  try {
    const opened = open(file.doc.leaves, file.meta, dataKey, compilePolicy(file.meta.rule));
    const manifest = file.meta.extra[MANIFEST_KEY];
    let spellings: Readonly<Record<string, string>> | undefined;
    if (manifest !== undefined) {
      const body = openManifest(manifest, file.meta.mac, file.meta.lastmodified, dataKey);
      checkManifest(body, file.doc.leaves, opened.values, file.meta.rule, file.meta.macOnlyEncrypted);
      spellings = body.x;
    } else {
      opened.warnings.push(NO_MANIFEST);
    }
    for (const w of opened.warnings) services.notice(name !== undefined ? `${name}: ${w}` : w);
    let plain: Uint8Array | undefined;
    return await use({
      ...file,
      opened,
      dataKey,
      plaintext: () => {
        if (plain === undefined) {
          const { edits, nodes } = spelled(opened.edits, spellings);
          plain = file.doc.render(edits, null, nodes);
        }
        return plain;
      },
    });
  } finally {
    dataKey.fill(0);
  }
}

/** The plaintext of a sealed document. */
export function decryptToPlaintext(input: Uint8Array, format: Format, opts: ReadOptions, services: KeyServices): Promise<Uint8Array> {
  return withOpened(input, format, opts, services, (file) => file.plaintext());
}

/** Decrypted edits with the manifest's spellings in place of the native rendering: leaf edits, and texts for leaf ranges (aliases). */
function spelled(
  edits: readonly (Edit | undefined)[],
  spellings: Readonly<Record<string, string>> | undefined,
): { edits: readonly (Edit | undefined)[]; nodes: Map<string, string> | undefined } {
  if (spellings === undefined) return { edits, nodes: undefined };
  const out = [...edits];
  const nodes = new Map<string, string>();
  for (const [key, text] of Object.entries(spellings)) {
    if (key.includes("-")) nodes.set(key, text);
    else out[Number(key)] = { kind: "source", text };
  }
  return { edits: out, nodes };
}

/** The notice for a file sealed (or since rewritten) by sops: verified as sops verifies it, no more. */
export const NO_MANIFEST =
  "sealed without a kmseal manifest (written or rewritten by sops): empty values, type tags and the crypt rule are not authenticated; re-encrypt it with kmseal to add one";

/** What a sealed file's metadata holds besides the seal's own MAC and stamp. */
type Keyed = Omit<Metadata, "lastmodified" | "mac">;

/**
 * The single place a sealed document is rendered with its metadata, and so the single place the
 * manifest is written: from the plaintext leaves just sealed, under the new MAC and stamp. An
 * unchanged seal keeps the manifest text it had (its encryption is randomised; the bytes must not move).
 */
function render(
  doc: StoreDocument,
  sealed: Pick<Sealed, "edits" | "lastmodified" | "mac" | "unchanged">,
  keyed: Keyed,
  dataKey: Uint8Array,
  exact?: Exactness,
): Uint8Array {
  const spellings =
    exact === undefined ? {} : spellingsOf(doc, sealed.edits, exact, metadataToPlain({ ...keyed, lastmodified: sealed.lastmodified, mac: sealed.mac }));
  const body = manifestBody(
    doc.leaves,
    doc.leaves.map((l) => l.value),
    keyed.rule,
    keyed.macOnlyEncrypted,
    spellings,
  );
  const previous = keyed.extra[MANIFEST_KEY];
  let text: string | undefined;
  if (sealed.unchanged && typeof previous === "string") {
    try {
      if (JSON.stringify(openManifest(previous, sealed.mac, sealed.lastmodified, dataKey)) === JSON.stringify(body)) text = previous;
    } catch {
      // an unreadable old manifest is replaced
    }
  }
  text ??= sealManifest(body, sealed.mac, sealed.lastmodified, dataKey);
  const meta: Metadata = { ...keyed, extra: { ...keyed.extra, [MANIFEST_KEY]: text }, lastmodified: sealed.lastmodified, mac: sealed.mac };
  return doc.render(sealed.edits, metadataToPlain(meta));
}

/** The plaintext a document was parsed from, and its store: what a seal must give back byte for byte. */
interface Exactness {
  readonly store: Store;
  readonly input: Uint8Array;
}

/**
 * Decrypt, simulated before anything is written: the sealed text is parsed again and rendered
 * with the plaintext values, as a later decrypt will. Leaves that come back spelled differently
 * get their source text recorded in the manifest; if the result still differs from the input,
 * the file is refused here (exit 2, with the position), because a seal that cannot give back what
 * it was given would change data.
 */
function spellingsOf(doc: StoreDocument, edits: readonly (Edit | undefined)[], exact: Exactness, meta: PlainObject): Record<string, string> {
  const { store, input } = exact;
  const sealedDoc = store.parse(doc.render(edits, meta));
  const n = doc.leaves.length;
  if (sealedDoc.leaves.length !== n) throw inexact(input, new Uint8Array(0), `it would be read back with ${sealedDoc.leaves.length} values instead of ${n}`);
  const plain: (Edit | undefined)[] = edits.map((e, i) => (e === undefined ? undefined : { kind: "plain", value: sealedValue(doc.leaves[i]!) }));
  // Aliases: a seal writes their expansion (sops has no aliases); decrypt writes the alias back.
  const nodes = doc.nodeSources?.() ?? new Map<string, string>();
  const spellings: Record<string, string> = Object.fromEntries(nodes);
  const first = sealedDoc.render(plain, null, nodes);
  if (Buffer.compare(first, input) === 0) return spellings;
  let back: StoreDocument | null = null;
  try {
    back = store.parse(first);
  } catch {
    // the canonical rendering does not even parse: every leaf with a spelling keeps it
  }
  if (back?.leaves.length !== n) back = null;
  for (let i = 0; i < n; i++) {
    const source = doc.source(i);
    if (source === null || back?.source(i) === source) continue;
    spellings[String(i)] = source;
    plain[i] = { kind: "source", text: source };
  }
  const second = sealedDoc.render(plain, null, nodes);
  if (Buffer.compare(second, input) !== 0) throw inexact(input, second);
  return spellings;
}

function inexact(input: Uint8Array, output: Uint8Array, why?: string): FormatError {
  let at = 0;
  while (at < input.length && at < output.length && input[at] === output[at]) at++;
  const before = Buffer.from(input.subarray(0, at)).toString("utf8");
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return new FormatError(
    `kmseal cannot encrypt this file so that it decrypts byte for byte: ${why ?? `the text from line ${line}, column ${column} would come back differently`}`,
    { line, column },
    { hint: "kmseal refuses rather than change data; write that part in another spelling (or report it as a kmseal bug with a file that shows it)" },
  );
}

export interface SealPlaintextOptions extends PlanOptions {
  readonly format: Format;
  /** The target's current bytes: when sealed under the same plan, its data key and unchanged ciphertexts are kept. */
  readonly previous?: Uint8Array | null | undefined;
}

/** Seals a plaintext document under the keys and rule its plan names. */
export async function sealPlaintext(input: Uint8Array, opts: SealPlaintextOptions, services: KeyServices): Promise<Uint8Array> {
  const store = await loadStore(opts.format);
  const doc = store.parse(input);
  const exact = { store, input };
  if (doc.metadata !== null) {
    throw new UsageError("the file is already encrypted (it has sops metadata)", {
      hint: "decrypt it first, or use `kmseal edit` / `kmseal set` to change values",
    });
  }
  // Rules and key sources are only needed to seal something new; reading commands never load them.
  const { sealingPlan, sealedUnder } = await import("./plan.js");
  const plan = await sealingPlan(opts, services);
  const sealing = { policy: plan.policy, encryptComments: plan.encryptComments, macOnlyEncrypted: plan.macOnlyEncrypted };
  const old = opts.previous != null ? await sealedOrNull(opts.previous, opts.format) : null;
  if (old !== null && sealedUnder(plan, old.meta)) {
    let opened = false;
    try {
      return await withOpenedFile(old, services, undefined, (prev) => {
        opened = true;
        const sealed = seal(doc.leaves, { ...sealing, dataKey: prev.dataKey, previous: stashOf(prev) });
        return render(
          doc,
          sealed,
          {
            ...prev.meta,
            rule: plan.crypt,
            macOnlyEncrypted: plan.macOnlyEncrypted,
            version: sealed.unchanged ? prev.meta.version : SOPS_VERSION,
          },
          prev.dataKey,
          exact,
        );
      });
    } catch (err) {
      // Only a failure to open the old file falls back; one while sealing is the caller's to see.
      // `opened` is set inside the callback, which the linter's flow analysis does not follow.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (opened) throw err;
      services.notice(`the existing encrypted file could not be opened (${(err as Error).message.split("\n")[0]}); it is replaced with a fresh encryption`);
    }
  }
  const dataKey = generateDataKey();
  try {
    const sealed = seal(doc.leaves, { ...sealing, dataKey });
    const keys = await wrapAll(plan.sources, dataKey);
    return render(doc, sealed, { keys, rule: plan.crypt, macOnlyEncrypted: plan.macOnlyEncrypted, version: SOPS_VERSION, extra: {} }, dataKey, exact);
  } finally {
    dataKey.fill(0);
  }
}

/** An existing target that is not a readable sealed file is simply replaced. */
async function sealedOrNull(bytes: Uint8Array, format: Format): Promise<SealedFile | null> {
  try {
    const doc = (await loadStore(format)).parse(bytes);
    return doc.metadata === null ? null : { format, doc, meta: metadataFromPlain(doc.metadata) };
  } catch {
    return null;
  }
}

function stashOf(from: Pick<OpenedFile, "meta" | "opened">) {
  return { stash: from.opened.stash, macHex: from.opened.macHex, lastmodified: from.meta.lastmodified, mac: from.meta.mac };
}

/** Enough of an opened file to reseal under its data key, keys and rule. */
export type ResealBase = Pick<OpenedFile, "format" | "meta" | "opened" | "dataKey">;

export interface Resealed {
  readonly bytes: Uint8Array;
  readonly unchanged: boolean;
}

export interface ResealOptions {
  /** Leave `version` as it is (sops's set and unset do; its edit raises it). */
  readonly keepVersion?: boolean | undefined;
  /** Seal under this crypt setting instead of the opened file's (the project's rule, adopted). */
  readonly setting?: CryptSetting | undefined;
  /** Runs on the new document's leaves before anything is sealed; throws to refuse. */
  readonly check?: ((leaves: readonly Leaf[]) => void) | undefined;
  /** The merge-conflict record to write (a string), to drop (null), or to keep as it is (undefined). */
  readonly conflict?: string | null | undefined;
}

/**
 * Re-seals a changed plaintext under an opened file's data key, keys and rule, so every unchanged
 * value keeps its exact ciphertext (the basis of edit, set, unset and merge's minimal diffs).
 */
export async function reseal(plaintext: Uint8Array, from: ResealBase, opts: ResealOptions = {}): Promise<Resealed> {
  const store = await loadStore(from.format);
  const doc = store.parse(plaintext);
  opts.check?.(doc.leaves);
  const setting = opts.setting;
  const meta: Metadata =
    setting === undefined
      ? from.meta
      : { ...from.meta, rule: setting.rule, macOnlyEncrypted: setting.macOnlyEncrypted, extra: withComments(from.meta.extra, setting) };
  const extra = withConflict(
    meta.extra,
    opts.conflict !== undefined ? opts.conflict : (conflictRecord(meta) ?? (from.format === "binary" ? null : markedRecord(doc.leaves))),
  );
  const sealed = seal(doc.leaves, {
    dataKey: from.dataKey,
    policy: compilePolicy(meta.rule),
    encryptComments: true,
    macOnlyEncrypted: meta.macOnlyEncrypted,
    previous: stashOf(from),
  });
  const metaChanged = extra !== from.meta.extra || meta !== from.meta;
  // A sops block that changed (rule adopted, conflict record written or dropped) is a change too.
  const unchanged = sealed.unchanged && !metaChanged;
  const version = unchanged || opts.keepVersion === true ? from.meta.version : newerVersion(from.meta.version);
  return { bytes: render(doc, sealed, { ...meta, extra, version }, from.dataKey, { store, input: plaintext }), unchanged };
}

/** Markers saved into a value (by set or edit) mark the file as conflicted too, so `check` sees them without a key. */
function markedRecord(leaves: readonly Leaf[]): string | null {
  const marked = leaves.filter((l) => l.kind === "value" && l.value.type === "str" && hasConflictMarkers(Buffer.from(l.value.bytes).toString("utf8")));
  return marked.length === 0 ? null : `conflict markers in values: ${marked.map((l) => displayPath(l.path)).join(", ")}`;
}

function withComments(extra: Readonly<Record<string, unknown>>, setting: CryptSetting): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(extra).filter(([k]) => !(COMMENT_RULE_KINDS as readonly string[]).includes(k)));
  if (setting.comments !== undefined) out[setting.comments.kind] = setting.comments.value;
  return out;
}

function withConflict(extra: Readonly<Record<string, unknown>>, record: string | null): Readonly<Record<string, unknown>> {
  if (record === null && !(CONFLICT_FIELD in extra)) return extra;
  if (record !== null && extra[CONFLICT_FIELD] === record) return extra;
  const out = Object.fromEntries(Object.entries(extra).filter(([k]) => k !== CONFLICT_FIELD));
  if (record !== null) out[CONFLICT_FIELD] = record;
  return out;
}

/**
 * The same values, MAC and stamp under new key records (updatekeys, mv): only the key stanzas
 * change, as in sops. The manifest is bound to the MAC and stamp, which stay, so it stays too.
 */
export function rewriteKeys(file: SealedFile, keys: readonly KeyRecord[]): Uint8Array {
  const meta: Metadata = { ...file.meta, keys };
  return file.doc.render(new Array<undefined>(file.doc.leaves.length), metadataToPlain(meta));
}

/** Seals a parsed plaintext document with a given data key and key records, under the default rule (store tests). */
export function sealWithKey(doc: StoreDocument, dataKey: Uint8Array, keys: readonly KeyRecord[]): Uint8Array {
  const sealed = seal(doc.leaves, { dataKey, policy: compilePolicy(), encryptComments: true, macOnlyEncrypted: false });
  return render(doc, sealed, { keys, rule: DEFAULT_RULE, macOnlyEncrypted: false, version: SOPS_VERSION, extra: {} }, dataKey);
}

/** sops raises `version` to its own when it rewrites a file; never lowers it. */
export function newerVersion(version: string): string {
  const a = version.split(/[.-]/).map(Number);
  const b = SOPS_VERSION.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) > (b[i] ?? 0)) return version;
    if ((a[i] ?? 0) < (b[i] ?? 0)) return SOPS_VERSION;
  }
  return version;
}
