/** Lifecycle step: Enable (ACTIVE) or disable (SUSPENDED) the users of the tenant's pool. */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { applySignIn } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("apply-sign-in", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await applySignIn(deps, input);
  logger.info("step done", { result });
  return result;
});
