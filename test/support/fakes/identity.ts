/**
 * An in-memory IdentityProvisioner (core/ports.ts) for unit tests: user pools, each with app clients, groups
 * and users, copying what the Cognito adapter (core/adapters/identity.ts) does with them. ensureTenantIdentity
 * reuses the recorded pool if it still exists and is tagged with the tenant, else the tenant's tagged pools
 * (keeping the oldest and deleting twins), else creates one and calls `onPoolCreated` at once; then the
 * `embark-app` client (the recorded one if it is there), the `admins` group and the admin user (found by email,
 * a generated username). setUsersEnabled on a missing pool raises ResourceNotFoundException, as Cognito does;
 * deleting a missing pool is fine. Does not copy: Cognito's settings (password policy, invitation), twin app
 * clients, pagination, eventual consistency of ListUserPools.
 *
 * Points (see recording.ts): every method's name, and within ensureTenantIdentity
 *   poolCreated   after CreateUserPool, before `onPoolCreated` (a crash leaves an unrecorded, tagged pool);
 *   poolRecorded  after `onPoolCreated`, before the app client, group and user exist.
 */
import { randomUUID } from "node:crypto";
import type {
  ExportedUser,
  IdentityProvisioner,
  TenantIdentity,
  TenantIdentityInput,
} from "../../../core/ports.js";
import { Recording, sdkError } from "./recording.js";

export interface FakePool {
  id: string;
  name: string;
  tags: { tenantId: string; slug: string };
  /** Creation order (CreationDate). */
  created: number;
  clients: string[];
  groups: Set<string>;
  /** By username. */
  users: Map<string, { email: string; enabled: boolean; groups: Set<string> }>;
}

type Point = keyof IdentityProvisioner | "poolCreated" | "poolRecorded";

export class FakeIdentity extends Recording<Point> implements IdentityProvisioner {
  readonly pools = new Map<string, FakePool>();
  /** CreateUserPool calls, including pools since deleted. */
  poolsCreated = 0;
  private clock = 0;

  async ensureTenantIdentity(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<TenantIdentity> {
    await this.record("ensureTenantIdentity", [input]);
    const pool = this.pools.get(await this.ensurePool(input, onPoolCreated));
    if (!pool) throw sdkError("ResourceNotFoundException", { message: "User pool does not exist" });
    const known = input.known?.userPoolClientId;
    let clientId = known && pool.clients.includes(known) ? known : pool.clients[0];
    if (!clientId) {
      clientId = `client-${randomUUID().slice(0, 8)}`;
      pool.clients.push(clientId);
    }
    pool.groups.add("admins");
    let username = [...pool.users].find(([, u]) => u.email === input.adminEmail)?.[0];
    if (!username) {
      username = randomUUID();
      pool.users.set(username, { email: input.adminEmail, enabled: true, groups: new Set() });
    }
    pool.users.get(username)?.groups.add("admins");
    return { userPoolId: pool.id, userPoolClientId: clientId, adminUsername: username };
  }

  async setUsersEnabled(userPoolId: string, enabled: boolean): Promise<void> {
    await this.record("setUsersEnabled", [userPoolId, enabled]);
    const pool = this.pools.get(userPoolId);
    if (!pool)
      throw sdkError("ResourceNotFoundException", { message: `User pool ${userPoolId} does not exist.` });
    for (const user of pool.users.values()) user.enabled = enabled;
  }

  async exportUsers(userPoolId: string): Promise<ExportedUser[]> {
    await this.record("exportUsers", [userPoolId]);
    const pool = this.pools.get(userPoolId);
    if (!pool)
      throw sdkError("ResourceNotFoundException", { message: `User pool ${userPoolId} does not exist.` });
    return [...pool.users].map(([username, u]) => ({
      username,
      enabled: u.enabled,
      attributes: { email: u.email },
      groups: [...u.groups].sort(),
    }));
  }

  async deleteTenantIdentity(userPoolId: string): Promise<void> {
    await this.record("deleteTenantIdentity", [userPoolId]);
    this.pools.delete(userPoolId);
  }

  async findPoolsForTenant(tenantId: string): Promise<string[]> {
    await this.record("findPoolsForTenant", [tenantId]);
    return this.poolsOf(tenantId).map((p) => p.id);
  }

  /** The tenant's pools (by tag), oldest first. */
  poolsOf(tenantId: string): FakePool[] {
    return [...this.pools.values()]
      .filter((p) => p.tags.tenantId === tenantId)
      .sort((a, b) => a.created - b.created);
  }

  /** Creates a pool as CreateUserPool would (also for a test setting up a pool an older run left behind). */
  addPool(tenantId: string, slug: string): FakePool {
    this.poolsCreated += 1;
    this.clock += 1;
    const pool: FakePool = {
      id: `us-east-1_fake${this.poolsCreated}`,
      name: `embark-tenant-${tenantId}`,
      tags: { tenantId, slug },
      created: this.clock,
      clients: [],
      groups: new Set(),
      users: new Map(),
    };
    this.pools.set(pool.id, pool);
    return pool;
  }

  private async ensurePool(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<string> {
    const known = input.known?.userPoolId;
    if (known && this.pools.get(known)?.tags.tenantId === input.tenantId) return known;
    let pools = this.poolsOf(input.tenantId);
    if (pools.length === 0) {
      const created = this.addPool(input.tenantId, input.slug);
      await this.reach("poolCreated");
      await onPoolCreated(created.id);
      await this.reach("poolRecorded");
      pools = this.poolsOf(input.tenantId);
    }
    const [keep, ...twins] = pools;
    for (const twin of twins) this.pools.delete(twin.id);
    if (!keep) throw sdkError("ResourceNotFoundException", { message: "User pool does not exist" });
    return keep.id;
  }
}
