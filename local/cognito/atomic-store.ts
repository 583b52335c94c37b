// cognito-local's data stores, written atomically. Its stock StormDBDataStoreFactory has StormDB write each JSON
// file in place with fs.writeFile, several at once: a kill mid-write, or two overlapping writes, left
// clients.json as one document plus a stray fragment, and cognito-local then refused to start. This factory
// implements the same DataStoreFactory interface (cognito-local's extension point for storage) with a StormDB
// engine that writes through writeFileAtomic (temp file, fsync, rename, one write per file at a time) and, at
// load, moves a damaged file aside instead of failing.

import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { quarantine, readJsonStateSync, writeFileAtomic } from "../aws/state-file.js";

const require = createRequire(import.meta.url);
// stormdb is cognito-local's dependency: resolve it from there.
const fromCognitoLocal = createRequire(require.resolve("cognito-local/lib/services/dataStore/stormDb"));

/** The subset of cognito-local's DataStoreFactory we implement (types are not exported as ESM). */
export interface DataStoreFactory {
  create(ctx: unknown, id: string, defaults: object): Promise<unknown>;
}

export const CLIENTS_FILE = "clients.json";
const SERVICE = "cognito";

/** What losing a damaged file means, for the log line. */
export function consequenceOf(file: string): string {
  if (file === CLIENTS_FILE)
    return "its app-client records are lost; the reconciler re-creates a tenant's missing app client";
  if (file === "config.json") return "cognito-local's config falls back to defaults";
  return `user pool ${file.replace(/\.json$/, "")} and its users are lost`;
}

// cognito-local's own (de)serialization: fields named *Date are Dates in memory, ISO strings on disk.
function replaceDatesWithISOStrings(this: Record<string, unknown>, key: string, value: unknown): unknown {
  if (!key.endsWith("Date")) return value;
  const val = this[key];
  if (!(val instanceof Date)) {
    throw new Error(`Serialize: Expected ${key} field to contain a Date, received a ${typeof val}`);
  }
  return val.toISOString();
}

function reviveDates(key: string, value: unknown): unknown {
  if (!key.endsWith("Date")) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") return new Date(Date.parse(value));
  throw new Error(`Deserialize: Expected ${key} to contain a String or Number, received a ${typeof value}`);
}

/** A StormDB engine (init/read/write) over one file. */
class AtomicEngine {
  constructor(
    readonly path: string,
    private readonly consequence: string,
  ) {}

  init(): object {
    return this.read();
  }

  read(): object {
    return (
      readJsonStateSync<object>(this.path, SERVICE, {
        reviver: reviveDates,
        consequence: this.consequence,
      }) ?? {}
    );
  }

  write(data: object): Promise<void> {
    return writeFileAtomic(this.path, () => JSON.stringify(data, replaceDatesWithISOStrings, 2));
  }
}

export class AtomicStormDbDataStoreFactory implements DataStoreFactory {
  private readonly StormDB = fromCognitoLocal("stormdb");
  private readonly StormDBDataStore =
    require("cognito-local/lib/services/dataStore/stormDb").StormDBDataStore;

  constructor(readonly directory: string) {}

  async create(_ctx: unknown, id: string, defaults: object): Promise<unknown> {
    const file = `${id}.json`;
    const db = new this.StormDB(new AtomicEngine(join(this.directory, file), consequenceOf(file)));
    db.default(defaults);
    await db.save();
    return new this.StormDBDataStore(db);
  }
}

/**
 * Moves every damaged `*.json` in `dir` aside before cognito-local lists its pools there, so a torn pool file
 * is not loaded as an empty pool of the same id. Returns the names moved.
 */
export async function quarantineDamaged(dir: string): Promise<string[]> {
  const moved: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".json")) continue;
    const path = join(dir, name);
    const text = await readFile(path, "utf8");
    try {
      JSON.parse(text);
    } catch {
      await quarantine(path, text, SERVICE, consequenceOf(name));
      moved.push(name);
    }
  }
  return moved;
}
