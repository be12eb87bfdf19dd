/**
 * format → its store and its text editor (get/set/unset): the one table of formats, so adding a
 * format means its folder plus its entry here. The YAML pair brings the `yaml` library (about
 * 250 KB, most of what a decrypt would otherwise load), so this module loads it on first use and a
 * command reading a dotenv or JSON file never does; callers just await. The text editors are loaded
 * on first use for the same reason: only set, unset and merge need one.
 */
import type { Got, PlaintextEditor } from "./edit/editor.js";
import type { KeyPath } from "./edit/key-path.js";
import { binaryStore } from "./binary/store.js";
import { dotenvStore } from "./dotenv/store.js";
import { jsonStore } from "./json/store.js";
import { checkDocumentSize } from "../platform/limits.js";
import type { Format, Store } from "./store.js";

/** The formats whose documents have key paths, and so a text editor. */
export type TextFormat = Exclude<Format, "binary">;

interface Entry<F extends Format> {
  readonly store: () => Store | Promise<Store>;
  readonly editor: F extends TextFormat ? () => Promise<PlaintextEditor> : null;
}

/**
 * Each `import()` is resolved again (through any loader hooks) even when the module is loaded, and
 * `check` asks for a store once per file: the first load is kept.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

const FORMATS: { readonly [F in Format]: Entry<F> } = {
  yaml: { store: once(async () => (await import("./yaml/store.js")).yamlStore), editor: once(async () => (await import("./yaml/edit.js")).yamlEditor) },
  json: { store: () => jsonStore, editor: once(async () => (await import("./json/edit.js")).jsonEditor) },
  dotenv: { store: () => dotenvStore, editor: once(async () => (await import("./dotenv/edit.js")).dotenvEditor) },
  binary: { store: () => binaryStore, editor: null },
};

const LIMITED = new Map<Store, Store>();

/** Every parse goes through here, so the size limit (platform/limits.ts) holds for every command. */
function limited(inner: Store): Store {
  let store = LIMITED.get(inner);
  if (store === undefined) {
    store = Object.assign(Object.create(inner) as Store, {
      parse: (input: Uint8Array) => {
        checkDocumentSize(input.byteLength);
        return inner.parse(input);
      },
    });
    LIMITED.set(inner, store);
  }
  return store;
}

export async function loadStore(format: Format): Promise<Store> {
  return limited(await FORMATS[format].store());
}

/** A value at a key path of a YAML or JSON plaintext, as `kmseal get` prints it. */
export type Getter = (text: string, path: KeyPath) => Got | undefined;

const GETTERS: { readonly [F in "yaml" | "json"]: () => Promise<Getter> } = {
  yaml: once(async () => (await import("./yaml/edit.js")).yamlGetTyped),
  json: once(async () => (await import("./json/edit.js")).jsonGetTyped),
};

/** Loaded on first use, like the editors: the YAML one brings the `yaml` library. */
export function loadGetter(format: "yaml" | "json"): Promise<Getter> {
  return GETTERS[format]();
}

export function loadEditor(format: TextFormat): Promise<PlaintextEditor> {
  return FORMATS[format].editor();
}
