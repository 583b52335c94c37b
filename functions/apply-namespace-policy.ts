/** Lifecycle step: Server-side apply the plan's quota and limits (zero pods while suspended). */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { applyNamespacePolicy } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("apply-namespace-policy", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await applyNamespacePolicy(deps, input);
  logger.info("step done", { result });
  return result;
});
