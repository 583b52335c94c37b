/**
 * What a pass and each tenant's checks share: dependencies, settings, the time, and reads made once (the plan
 * catalog and the cluster connection per pass; the tenant's pool and live objects per tenant).
 */
import { type KubeObject, tenantObjects } from "../cluster/tenant-objects.js";
import type { Plan } from "../plans/schema.js";
import type { LiveObject, PoolFacts } from "../ports.js";
import type { Tenant } from "../tenant/model.js";
import type { ReconcileDeps } from "./deps.js";
import type { CheckId } from "./invariants.js";
import type { ReconcileSettings } from "./settings.js";
import type { RecordChange } from "./store.js";

/** What the reconciler does about a finding. */
export const ACTIONS = [
  "start-onboarding",
  "redrive-onboarding",
  "mark-failed",
  "record-failure",
  "degrade",
  "restore",
  "recreate-app-client",
  "apply-objects",
  "redrive-offboarding",
  "disable-users",
  "schedule-purge",
  "start-purge",
  "delete-user-pool",
  "delete-namespace",
  "stop-pipeline-run",
  "delete-dead-letter",
  /** Billing events left parked after the onboarding ended: applied now, oldest first. */
  "apply-parked-billing",
  /** An orphan younger than the grace period: reported, deleted by a later pass. */
  "await-grace",
  /** Nothing Embark can safely do: a person decides. */
  "flag",
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Something a check found wrong, and how to put it right. */
export interface Finding {
  check: CheckId;
  action: ActionName;
  /** What is wrong, for a person (names the resource and what was expected). */
  problem: string;
  /** The side effect that repairs it; none when the record change below (or nothing) is all there is. */
  repair?: () => Promise<void>;
  /** A change to the tenant record made together with the finding's entry (one conditional write). */
  change?: Omit<RecordChange, "entries">;
  /** "repaired": the tenant is as its status says again; "flagged": the tenant now says what is wrong. */
  result: "repaired" | "flagged";
}

export type Cluster = Awaited<ReturnType<ReconcileDeps["cluster"]>>;

export class PassContext {
  private planMap?: Promise<Map<string, Plan>>;
  private clusterConnection?: Promise<Cluster>;

  constructor(
    readonly d: ReconcileDeps,
    readonly settings: ReconcileSettings,
    readonly now: Date,
    readonly dryRun: boolean,
  ) {}

  plan(id: string): Promise<Plan | undefined> {
    this.planMap ??= this.d.plans.list().then((plans) => new Map(plans.map((p) => [p.id, p])));
    return this.planMap.then((m) => m.get(id));
  }

  cluster(): Promise<Cluster> {
    this.clusterConnection ??= this.d.cluster();
    this.clusterConnection.catch(() => {
      this.clusterConnection = undefined;
    });
    return this.clusterConnection;
  }

  minutesAgo(minutes: number): string {
    return new Date(this.now.getTime() - minutes * 60_000).toISOString();
  }

  ageOf(iso: string | Date | undefined): number {
    if (iso === undefined) return 0;
    return this.now.getTime() - (typeof iso === "string" ? Date.parse(iso) : iso.getTime());
  }

  forTenant(tenant: Tenant): TenantContext {
    return new TenantContext(this, tenant);
  }
}

export class TenantContext {
  private poolFacts?: Promise<PoolFacts | undefined>;
  private desiredObjects?: Promise<KubeObject[] | undefined>;
  private liveObjects?: Promise<Array<LiveObject | undefined>>;

  constructor(
    readonly pass: PassContext,
    readonly tenant: Tenant,
  ) {}

  get d(): ReconcileDeps {
    return this.pass.d;
  }

  /** The recorded pool as Cognito describes it (undefined: none recorded, or gone). */
  pool(): Promise<PoolFacts | undefined> {
    const id = this.tenant.resources.userPoolId;
    this.poolFacts ??= id ? this.d.identity.describePool(id) : Promise.resolve(undefined);
    return this.poolFacts;
  }

  /** The objects Embark applies for the tenant now (its plan; suspended quota while SUSPENDED). */
  desired(): Promise<KubeObject[] | undefined> {
    const t = this.tenant;
    this.desiredObjects ??= this.pass.plan(t.plan).then((plan) => {
      if (!plan) return undefined;
      // A DEGRADED tenant keeps the quota of the status it came from.
      const from = t.status === "DEGRADED" ? t.reconcile?.degraded?.previousStatus : t.status;
      const suspended = from === "SUSPENDED" || from === "CANCELLED"; // no pods either way
      return tenantObjects({ tenantId: t.tenantId, slug: t.slug, plan, suspended });
    });
    return this.desiredObjects;
  }

  /** The live counterparts of desired(), in the same order. */
  live(): Promise<Array<LiveObject | undefined>> {
    this.liveObjects ??= Promise.all([this.desired(), this.pass.cluster()]).then(([objects, cluster]) =>
      objects ? cluster.read(objects) : [],
    );
    return this.liveObjects;
  }
}
