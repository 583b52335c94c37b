import type { BillingRecords } from "../billing/records.js";
import type { OnboardingDeps } from "../onboarding/deps.js";

/** What the lifecycle steps need: the onboarding steps' adapters plus the billing records. */
export interface LifecycleDeps extends OnboardingDeps {
  records: Pick<BillingRecords, "transitionIf" | "recordPlan" | "planChangeOf">;
}
