// cognito-local's data stores, written atomically. Its stock StormDBDataStoreFactory has StormDB write each JSON
// file in place with fs.writeFile, several at once: a kill mid-write, or two overlapping writes, left
// clients.json as one document plus a stray fragment, and cognito-local then refused to start. This factory
// implements the same DataStoreFactory interface (cognito-local's extension point for storage) with a StormDB
// engine that writes through writeFileAtomic (temp file, fsync, rename, one write per file at a time) and, at
// load, moves a damaged file aside instead of failing.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { open, readdir, readFile } from "node:fs/promises";
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

export function reviveDates(key: string, value: unknown): unknown {
  if (!key.endsWith("Date")) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") return new Date(Date.parse(value));
  throw new Error(`Deserialize: Expected ${key} to contain a String or Number, received a ${typeof value}`);
}

const digest = (text: string) => createHash("sha1").update(text).digest("base64");

/**
 * A StormDB engine (init/read/write) over one file. A write of the text the file already holds is skipped:
 * loading a pool saves it (cognito-local's factory does), and a pool loaded on demand must not rewrite its
 * file. A hash of that text is kept, not the text (a pool's file can be megabytes).
 */
class AtomicEngine {
  private onDisk: string | undefined;

  constructor(
    readonly path: string,
    private readonly consequence: string,
  ) {}

  init(): object {
    return this.read();
  }

  read(): object {
    this.onDisk = undefined;
    return (
      readJsonStateSync<object>(this.path, SERVICE, {
        reviver: reviveDates,
        consequence: this.consequence,
        onText: (text) => {
          this.onDisk = digest(text);
        },
      }) ?? {}
    );
  }

  write(data: object): Promise<void> {
    const written = writeFileAtomic(this.path, () => {
      const text = JSON.stringify(data, replaceDatesWithISOStrings, 2);
      const hash = digest(text);
      if (hash === this.onDisk) return undefined;
      this.onDisk = hash;
      return text;
    });
    // A failed write leaves the file unknown: the next write goes through whatever it holds.
    written.catch(() => {
      this.onDisk = undefined;
    });
    return written;
  }
}

/**
 * The app-client store, which holds every client of every pool in one document: a change is a line appended to
 * `clients.jsonl` (fsync'd) instead of a rewrite of the whole file, so CreateUserPoolClient costs the same at 5,000
 * tenants as at 5 (the rewrite took 2.5 MB and an fsync per client there). What changed is seen by identity:
 * StormDB replaces the object of a client it sets and leaves the others as they are. The log is folded into
 * `clients.json` at start and whenever it outgrows the document; a torn last line (a kill mid-append) is skipped.
 */
class JournaledClientsEngine {
  private readonly journal: string;
  private written = new Map<string, unknown>();
  private chain: Promise<void> = Promise.resolve();
  private journalBytes = 0;
  private documentBytes = 0;
  private hasDocument = false;

  constructor(
    readonly path: string,
    private readonly consequence: string,
  ) {
    this.journal = `${path}l`;
  }

  init(): object {
    const doc = this.read();
    // Fold what the log holds into the document now, so the next start replays little.
    if (existsSync(this.journal)) {
      this.chain = this.fold(doc).catch((err) => console.error(`[${SERVICE}] folding ${this.journal}:`, err));
    }
    return doc;
  }

  read(): object {
    const doc = (readJsonStateSync<{ Clients?: Record<string, unknown> }>(this.path, SERVICE, {
      reviver: reviveDates,
      consequence: this.consequence,
    }) ?? {}) as { Clients?: Record<string, unknown> };
    this.hasDocument = existsSync(this.path);
    if (existsSync(this.journal)) {
      const text = readFileSync(this.journal, "utf8");
      const lines = text.slice(0, text.lastIndexOf("\n") + 1).split("\n");
      for (const [i, line] of lines.entries()) {
        if (!line) continue;
        try {
          const { id, client } = JSON.parse(line, reviveDates) as { id: string; client?: unknown };
          doc.Clients ??= {};
          if (client === undefined) delete doc.Clients[id];
          else doc.Clients[id] = client;
        } catch {
          console.warn(`[${SERVICE}] ${this.journal} line ${i + 1} is damaged and was skipped`);
        }
      }
    }
    this.written = new Map(Object.entries(doc.Clients ?? {}));
    return doc;
  }

  write(data: { Clients?: Record<string, unknown> }): Promise<void> {
    const clients = data.Clients ?? {};
    // No document yet (a fresh or set-aside store), or one with more than clients in it: write it whole.
    if (!this.hasDocument || Object.keys(data).some((k) => k !== "Clients")) {
      this.hasDocument = true;
      this.written = new Map(Object.entries(clients));
      return this.queue(() => this.fold(data));
    }
    const lines: string[] = [];
    for (const [id, client] of Object.entries(clients)) {
      if (this.written.get(id) === client) continue;
      this.written.set(id, client);
      lines.push(JSON.stringify({ id, client }, replaceDatesWithISOStrings));
    }
    for (const id of [...this.written.keys()]) {
      if (id in clients) continue;
      this.written.delete(id);
      lines.push(JSON.stringify({ id }));
    }
    if (lines.length === 0) return this.chain;
    const text = `${lines.join("\n")}\n`;
    return this.queue(async () => {
      const fh = await open(this.journal, "a");
      try {
        await fh.appendFile(text);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      this.journalBytes += Buffer.byteLength(text);
      if (this.journalBytes > Math.max(1 << 20, this.documentBytes)) await this.fold(data);
    });
  }

  private queue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step, step);
    return this.chain;
  }

  /** Writes the whole document, then empties the log (a kill between the two replays lines it already holds). */
  private async fold(data: object): Promise<void> {
    let bytes = 0;
    await writeFileAtomic(this.path, () => {
      const text = JSON.stringify(data, replaceDatesWithISOStrings, 2);
      bytes = text.length;
      return text;
    });
    await writeFileAtomic(this.journal, "");
    this.documentBytes = bytes;
    this.journalBytes = 0;
  }
}

export class AtomicStormDbDataStoreFactory implements DataStoreFactory {
  private readonly StormDB = fromCognitoLocal("stormdb");
  private readonly StormDBDataStore =
    require("cognito-local/lib/services/dataStore/stormDb").StormDBDataStore;

  constructor(readonly directory: string) {}

  async create(_ctx: unknown, id: string, defaults: object): Promise<unknown> {
    const file = `${id}.json`;
    const path = join(this.directory, file);
    const engine =
      file === CLIENTS_FILE
        ? new JournaledClientsEngine(path, consequenceOf(file))
        : new AtomicEngine(path, consequenceOf(file));
    const db = new this.StormDB(engine);
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
