import type { BillingRecords } from "../adapters/billing-records.js";
import type { OnboardingDeps } from "../onboarding/deps.js";

/** What the lifecycle steps need: the onboarding steps' adapters plus the billing records. */
export interface LifecycleDeps extends OnboardingDeps {
  records: BillingRecords;
}
