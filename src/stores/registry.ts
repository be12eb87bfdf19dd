/** format → Store: the single place that lists the formats. */
import { binaryStore } from "./binary/store.js";
import { dotenvStore } from "./dotenv/store.js";
import { jsonStore } from "./json/store.js";
import { checkDocumentSize } from "../platform/limits.js";
import type { Format, Store } from "./store.js";
import { yamlStore } from "./yaml/store.js";

const STORES: Record<Format, Store> = { yaml: yamlStore, json: jsonStore, dotenv: dotenvStore, binary: binaryStore };
const LIMITED = new Map<Format, Store>();

/** Every parse goes through here, so the size limit (platform/limits.ts) holds for every command. */
export function storeFor(format: Format): Store {
  let store = LIMITED.get(format);
  if (store === undefined) {
    const inner = STORES[format];
    store = Object.assign(Object.create(inner) as Store, {
      parse: (input: Uint8Array) => {
        checkDocumentSize(input.byteLength);
        return inner.parse(input);
      },
    });
    LIMITED.set(format, store);
  }
  return store;
}
