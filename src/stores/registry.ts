/** format → Store: the single place that lists the formats. */
import { binaryStore } from "./binary.js";
import { dotenvStore } from "./dotenv.js";
import { jsonStore } from "./json.js";
import type { Format, Store } from "./store.js";
import { yamlStore } from "./yaml.js";

const STORES: Record<Format, Store> = { yaml: yamlStore, json: jsonStore, dotenv: dotenvStore, binary: binaryStore };

export function storeFor(format: Format): Store {
  return STORES[format];
}
