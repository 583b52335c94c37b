/** Onboarding step: Server-side apply the tenant's Kubernetes namespace objects and grant its admins access. */
import { z } from "zod";
import { onboardingDeps } from "../core/onboarding/environment.js";
import { setupNamespace } from "../core/onboarding/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = onboardingDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda(
  "setup-namespace",
  async (event: unknown, _context, { logger }) => {
    const input = Input.parse(event);
    logger.appendKeys({ tenantId: input.tenantId });
    const result = await setupNamespace(deps, input);
    logger.info("step done");
    return result;
  },
  { idempotency: { key: "tenantId" } },
);
