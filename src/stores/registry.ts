/** format → Store: the single place that lists the formats. */
import { binaryStore } from "./binary/store.js";
import { dotenvStore } from "./dotenv/store.js";
import { jsonStore } from "./json/store.js";
import type { Format, Store } from "./store.js";
import { yamlStore } from "./yaml/store.js";

const STORES: Record<Format, Store> = { yaml: yamlStore, json: jsonStore, dotenv: dotenvStore, binary: binaryStore };

export function storeFor(format: Format): Store {
  return STORES[format];
}
