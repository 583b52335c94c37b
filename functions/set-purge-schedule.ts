/** Lifecycle step: the tenant's one-time purge schedule made to match its record (core/lifecycle/steps.ts). */
import { tenants } from "../core/app/deps/dynamodb.js";
import { purgeSchedules } from "../core/app/deps/scheduler.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("setPurgeSchedule", { tenants, purgeSchedules });
