/**
 * The store of a format, loaded on first use where that pays: the YAML store brings the `yaml`
 * library (about 250 KB, most of what a decrypt would otherwise load), so a command reading a
 * dotenv or JSON file never loads it. The other stores are small and load with this module.
 * stores/registry.ts stays the synchronous table for code that needs one.
 */
import { binaryStore } from "./binary/store.js";
import { dotenvStore } from "./dotenv/store.js";
import { jsonStore } from "./json/store.js";
import type { Format, Store } from "./store.js";

export async function loadStore(format: Format): Promise<Store> {
  switch (format) {
    case "yaml":
      return (await import("./yaml/store.js")).yamlStore;
    case "json":
      return jsonStore;
    case "dotenv":
      return dotenvStore;
    case "binary":
      return binaryStore;
  }
}
