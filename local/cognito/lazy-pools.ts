/**
 * User pools loaded on demand. cognito-local's CognitoServiceImpl reads every pool file at start and keeps every
 * pool in memory for good (an array it searches linearly): at 5,000 tenants its process peaked at 310 MB loading
 * them at start and held 185 MB idle (117 MB with this, test/bench/cognito-pools.ts). Here a pool is loaded from `<dataDir>/<id>.json` when asked for,
 * exactly as cognito-local's init loads it, and kept in a bounded LRU cache; the files stay the state.
 *
 * One live instance per pool: two would each hold a copy of the users and the later save would drop the other's
 * change. So an evicted pool is remembered through a WeakRef (a request in flight may still hold it) and reused
 * while alive, a load waits for the writes still queued for its file, and concurrent loads of one pool share one.
 */
import { access, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { flushFile, readJsonState, retireFile } from "../aws/state-file.js";
import { CLIENTS_FILE, consequenceOf, reviveDates } from "./atomic-store.js";
import type { Ctx, LocalAppClient, PoolOptions } from "./services.js";

const require = createRequire(import.meta.url);
const fromCognitoLocal = createRequire(require.resolve("cognito-local/lib/services/cognitoService"));
const { USER_POOL_AWS_DEFAULTS } = require("cognito-local/lib/services/cognitoService") as {
  USER_POOL_AWS_DEFAULTS: object;
};
const { ResourceNotFoundError } = require("cognito-local/lib/errors") as {
  ResourceNotFoundError: new (message?: string) => Error;
};
// cognito-local's own deep merge of CreateUserPool's request over the defaults.
const mergeWith = fromCognitoLocal("lodash.mergewith") as (target: object, ...sources: object[]) => object;

/**
 * Pools kept loaded. Embark's hot path touches a few pools at a time (the tenants being onboarded or signing in);
 * 128 covers a burst of onboardings with room to spare, and at ~20-30 KB a pool of a few users it costs a few MB.
 */
export const POOL_CACHE_SIZE = 128;

interface Pool {
  options: PoolOptions;
}

/** The fields and methods of cognito-local's CognitoServiceImpl this module reads or replaces. */
export interface CognitoServiceLike {
  dataDirectory: string;
  clients: { get(ctx: Ctx, key: string[]): Promise<unknown> };
  userPoolDefaultConfig: object;
  userPoolServiceFactory: {
    create(ctx: Ctx, clients: unknown, defaultOptions: PoolOptions): Promise<Pool>;
  };
  init(ctx: Ctx): Promise<void>;
  getUserPool(ctx: Ctx, id: string): Promise<Pool>;
  getUserPoolForClientId(ctx: Ctx, clientId: string): Promise<Pool>;
  createUserPool(ctx: Ctx, pool: object): Promise<PoolOptions>;
  deleteUserPool(ctx: Ctx, pool: { Id: string }): Promise<void>;
  listUserPools(ctx: Ctx): Promise<PoolOptions[]>;
}

// Pool files are `<id>.json`; temp files (`.<name>.<pid>.<n>.tmp`) and set-aside ones (`.damaged-…`) are not.
const isPoolFile = (name: string) => name.endsWith(".json") && !name.startsWith(".") && name !== CLIENTS_FILE;
// An id that would name another file than a pool's (a path, clients.json) is no pool.
const isPoolId = (id: string) => id !== "" && !/[/\\]/.test(id) && isPoolFile(`${id}.json`);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export class LazyUserPools {
  private readonly cache = new Map<string, Pool>();
  private readonly evicted = new Map<string, WeakRef<Pool>>();
  private readonly loading = new Map<string, Promise<Pool>>();
  private readonly deleting = new Set<string>();
  private readonly collected = new FinalizationRegistry<string>((id) => {
    if (this.evicted.get(id)?.deref() === undefined) this.evicted.delete(id);
  });

  constructor(
    private readonly service: CognitoServiceLike,
    private readonly cacheSize = POOL_CACHE_SIZE,
  ) {}

  /** Replaces the pool-array methods of a CognitoServiceImpl instance (whose init need not run). */
  install(): this {
    const s = this.service;
    s.init = async () => undefined;
    s.getUserPool = (ctx, id) => this.getUserPool(ctx, id);
    s.getUserPoolForClientId = (ctx, clientId) => this.getUserPoolForClientId(ctx, clientId);
    s.createUserPool = (ctx, pool) => this.createUserPool(ctx, pool);
    s.deleteUserPool = (ctx, pool) => this.deleteUserPool(ctx, pool);
    s.listUserPools = (ctx) => this.listUserPools(ctx);
    return this;
  }

  private path(id: string): string {
    return join(this.service.dataDirectory, `${id}.json`);
  }

  /** The live instance of pool `id`, if there is one (cached, or evicted but still held somewhere). */
  private live(id: string): Pool | undefined {
    const cached = this.cache.get(id);
    if (cached) {
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const held = this.evicted.get(id)?.deref();
    if (held) this.keep(id, held);
    return held;
  }

  private keep(id: string, pool: Pool): void {
    this.evicted.delete(id);
    this.cache.delete(id);
    this.cache.set(id, pool);
    while (this.cache.size > this.cacheSize) {
      const [oldest, old] = this.cache.entries().next().value as [string, Pool];
      this.cache.delete(oldest);
      this.evicted.set(oldest, new WeakRef(old));
    }
  }

  private adopt(id: string, pool: Pool): Pool {
    this.collected.register(pool, id);
    this.keep(id, pool);
    return pool;
  }

  getUserPool(ctx: Ctx, id: string): Promise<Pool> {
    ctx.logger.debug({ userPoolId: id }, "LazyUserPools.getUserPool");
    const pool = this.live(id);
    if (pool) return Promise.resolve(pool);
    let load = this.loading.get(id);
    if (!load) {
      load = this.load(ctx, id).finally(() => this.loading.delete(id));
      this.loading.set(id, load);
    }
    return load;
  }

  private async load(ctx: Ctx, id: string): Promise<Pool> {
    const notFound = new ResourceNotFoundError(`User Pool ${id} not found`);
    if (!isPoolId(id)) throw notFound;
    const path = this.path(id);
    // A save queued by an evicted (and since collected) instance lands before the file is read.
    await flushFile(path);
    if (!(await exists(path))) throw notFound;
    const pool = await this.service.userPoolServiceFactory.create(ctx, this.service.clients, {
      ...USER_POOL_AWS_DEFAULTS,
      ...this.service.userPoolDefaultConfig,
      Id: id,
    });
    // Deleted while it loaded: the file was gone (the pool came up empty) or is going.
    if (this.deleting.has(id) || !(await exists(path))) throw notFound;
    return this.adopt(id, pool);
  }

  async getUserPoolForClientId(ctx: Ctx, clientId: string): Promise<Pool> {
    const client = (await this.service.clients.get(ctx, ["Clients", clientId])) as LocalAppClient | null;
    if (!client) throw new ResourceNotFoundError(`App Client ${clientId} not found`);
    return this.getUserPool(ctx, client.UserPoolId);
  }

  async createUserPool(ctx: Ctx, request: object): Promise<PoolOptions> {
    const options = mergeWith(
      {},
      USER_POOL_AWS_DEFAULTS,
      this.service.userPoolDefaultConfig,
      request,
    ) as PoolOptions;
    const pool = await this.service.userPoolServiceFactory.create(ctx, this.service.clients, options);
    return this.adopt(pool.options.Id, pool).options;
  }

  /** Removes the pool's file, after its queued saves; a save queued later must not bring the file back. */
  async deleteUserPool(_ctx: Ctx, pool: { Id: string }): Promise<void> {
    this.deleting.add(pool.Id);
    try {
      await retireFile(this.path(pool.Id));
      // A load in flight would put the pool back in the cache after it is gone.
      await this.loading.get(pool.Id)?.catch(() => undefined);
      this.cache.delete(pool.Id);
      this.evicted.delete(pool.Id);
      await rm(this.path(pool.Id));
    } finally {
      this.deleting.delete(pool.Id);
    }
  }

  /** Every pool on disk, by its file; a pool not loaded is read for its options without being kept. */
  async listUserPools(_ctx: Ctx): Promise<PoolOptions[]> {
    const ids = (await readdir(this.service.dataDirectory)).filter(isPoolFile).map((f) => f.slice(0, -5));
    const pools: PoolOptions[] = [];
    for (const id of ids) {
      const live = this.cache.get(id) ?? this.evicted.get(id)?.deref();
      if (live) {
        pools.push(live.options);
        continue;
      }
      const path = this.path(id);
      await flushFile(path);
      const doc = await readJsonState<{ Options?: PoolOptions }>(path, "cognito", {
        reviver: reviveDates,
        consequence: consequenceOf(`${id}.json`),
      });
      // Deleted meanwhile: not listed. No Options: a load would give it the defaults.
      if (doc) {
        pools.push(
          doc.Options ??
            ({ ...USER_POOL_AWS_DEFAULTS, ...this.service.userPoolDefaultConfig, Id: id } as PoolOptions),
        );
      }
    }
    return pools;
  }
}
