import type { BillingRecords } from "../billing/records.js";
import type { OnboardingDeps } from "../onboarding/deps.js";
import type { ClusterInspector, ExportStore, PurgeSchedules } from "../ports.js";

/** What the lifecycle steps need: the onboarding steps' adapters plus the billing records and purge timers. */
export interface LifecycleDeps extends OnboardingDeps {
  records: Pick<BillingRecords, "transitionIf" | "recordPlan" | "planChangeOf">;
  purgeSchedules: PurgeSchedules;
  /** Where the tenant export goes (S3). */
  exports: ExportStore;
  /** Reads live objects for the export (a fresh connection per invocation). */
  clusterReader: () => Promise<Pick<ClusterInspector, "read">>;
}
