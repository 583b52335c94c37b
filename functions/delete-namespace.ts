/** Lifecycle step: Revoke cluster access and delete the tenant's namespace, waiting until it is gone. */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { deleteNamespace } from "../core/lifecycle/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({ tenantId: z.string().min(1) });

export const handler = lambda("delete-namespace", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const result = await deleteNamespace(deps, input);
  logger.info("step done", { result });
  return result;
});
