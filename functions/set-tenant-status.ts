/** Lifecycle step: Suspend, reactivate, start or finish offboarding (conditional status writes) (core/lifecycle/steps.ts). */
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("setTenantStatus");
