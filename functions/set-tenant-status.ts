/** Lifecycle step: Suspend, reactivate, start or finish offboarding (conditional status writes) (core/lifecycle/steps.ts). */
import { plans, records, tenants } from "../core/app/deps/dynamodb.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("setTenantStatus", { records, tenants, plans });
