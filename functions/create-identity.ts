/** Onboarding step: Create the tenant's Cognito user pool, app client, admins group and admin user (idempotent). */
import { z } from "zod";
import { onboardingDeps } from "../core/onboarding/environment.js";
import { createIdentity } from "../core/onboarding/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = onboardingDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda(
  "create-identity",
  async (event: unknown, _context, { logger }) => {
    const input = Input.parse(event);
    logger.appendKeys({ tenantId: input.tenantId });
    const result = await createIdentity(deps, input);
    logger.info("step done");
    return result;
  },
  { idempotency: { key: "tenantId" } },
);
