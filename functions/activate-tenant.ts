/** Onboarding step: Mark the tenant ACTIVE and return the ids of everything onboarding created. */
import { z } from "zod";
import { onboardingDeps } from "../core/onboarding/environment.js";
import { activateTenant } from "../core/onboarding/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = onboardingDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("activate-tenant", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await activateTenant(deps, input);
  logger.info("step done");
  return result;
});
