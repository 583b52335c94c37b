/** Lifecycle step: Record the tenant's new plan while its event is the newest plan event. */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { recordPlan } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({ tenantId: z.string().min(1), plan: z.string().min(1), eventId: z.string().min(1) });

export const handler = lambda("record-plan", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await recordPlan(deps, input);
  logger.info("step done", { result });
  return result;
});
