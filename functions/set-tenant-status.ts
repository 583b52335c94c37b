/** Lifecycle step: Suspend, reactivate, start or finish offboarding (conditional status writes). */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { setTenantStatus } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({
  tenantId: z.string().min(1),
  to: z.enum(["SUSPENDED", "ACTIVE", "OFFBOARDING", "OFFBOARDED"]),
  eventId: z.string().min(1),
});

export const handler = lambda("set-tenant-status", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await setTenantStatus(deps, input);
  logger.info("step done", { result });
  return result;
});
