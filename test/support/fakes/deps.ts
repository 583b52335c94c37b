/**
 * Every fake wired into the deps the onboarding and lifecycle steps take (core/onboarding/deps.ts,
 * core/lifecycle/deps.ts), plus a signed-up tenant: what a unit test of a step starts from.
 */
import type { LifecycleDeps } from "../../../core/lifecycle/deps.js";
import { type NewTenantInput, newTenant, type Tenant } from "../../../core/tenant/model.js";
import { FakeBillingRecords } from "./billing-records.js";
import { FakeCluster } from "./cluster.js";
import { FakeExportStore } from "./export-store.js";
import { FakeIdentity } from "./identity.js";
import { FakePipeline } from "./pipeline.js";
import { FakePlanStore } from "./plan-store.js";
import { FakePurgeSchedules } from "./purge-schedules.js";
import { FakeTaskCallbacks } from "./task-callbacks.js";
import { FakeTenantEvents } from "./tenant-events.js";
import { FakeTenantStore } from "./tenant-store.js";

export function fakes() {
  const tenants = new FakeTenantStore();
  const plans = new FakePlanStore();
  const records = new FakeBillingRecords(tenants);
  const identity = new FakeIdentity();
  const cluster = new FakeCluster();
  const pipeline = new FakePipeline();
  const tasks = new FakeTaskCallbacks();
  const events = new FakeTenantEvents();
  const purgeSchedules = new FakePurgeSchedules();
  const exports = new FakeExportStore();
  /** Cluster connections opened (one per step invocation). */
  let connections = 0;
  const deps: LifecycleDeps = {
    tenants,
    plans,
    records,
    identity,
    cluster: async () => {
      connections += 1;
      return cluster;
    },
    pipeline,
    tasks,
    events,
    settings: { appUrl: "https://app.example.test", supportEmail: "support@example.test" },
    signIn: {},
    purgeSchedules,
    exports,
    clusterReader: async () => cluster,
  };
  return {
    deps,
    purgeSchedules,
    exports,
    tenants,
    plans,
    records,
    identity,
    cluster,
    pipeline,
    tasks,
    events,
    connections: () => connections,
  };
}
export type Fakes = ReturnType<typeof fakes>;

let signups = 0;
/** A new PROVISIONING tenant (as signup-intake writes it), stored in the fake tenant store. */
export async function signUp(
  f: Pick<Fakes, "tenants">,
  input: Partial<NewTenantInput> = {},
): Promise<Tenant> {
  signups += 1;
  const tenant = newTenant({
    slug: `acme-${signups}`,
    companyName: `Acme ${signups}`,
    adminEmail: `ops${signups}@acme.example`,
    plan: "standard",
    ...input,
  });
  await f.tenants.create(tenant);
  return tenant;
}
