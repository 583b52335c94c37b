/**
 * Invoked by a tenant's one-time purge schedule (EventBridge Scheduler, core/app/resources.ts RUNTIME_SCHEDULES)
 * when its grace period ends: starts the Offboard execution once (core/lifecycle/start-purge.ts).
 */
import { tenants } from "../core/app/deps/dynamodb.js";
import { purgeSchedules } from "../core/app/deps/scheduler.js";
import { offboardStateMachineArn, workflows } from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import { startPurge } from "../core/lifecycle/start-purge.js";
import { lambda } from "../core/runtime/handler.js";

const deps = dependencies({ tenants, workflows, offboardStateMachineArn, purgeSchedules });

export const handler = lambda("start-purge", async (event: unknown, _context, { logger }) => {
  const result = await startPurge(deps, event);
  logger.info("purge schedule fired", { ...result });
  return result;
});
