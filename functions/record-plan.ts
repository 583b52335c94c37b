/** Lifecycle step: Record the tenant's new plan while its event is the newest plan event (core/lifecycle/steps.ts). */
import { plans, records, tenants } from "../core/app/deps/dynamodb.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("recordPlan", { plans, tenants, records });
