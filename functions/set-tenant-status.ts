/** Lifecycle step: suspend, reactivate, cancel, restore, start or finish the purge (conditional status writes) (core/lifecycle/steps.ts). */
import { plans, records, tenants } from "../core/app/deps/dynamodb.js";
import { mailSettings } from "../core/app/environment.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("setTenantStatus", { records, tenants, plans, settings: mailSettings });
