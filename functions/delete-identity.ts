/** Lifecycle step: Delete the tenant's user pool(s). */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { deleteIdentity } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("delete-identity", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await deleteIdentity(deps, input);
  logger.info("step done", { result });
  return result;
});
