/** Onboarding step: Reserve the tenant: confirm its record and plan; returns what the Choice needs. */
import { z } from "zod";
import { onboardingDeps } from "../core/onboarding/environment.js";
import { reserveTenant } from "../core/onboarding/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = onboardingDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("reserve-tenant", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await reserveTenant(deps, input);
  logger.info("step done");
  return result;
});
