/** Lifecycle step: deploy or tear down dedicated resources; the state machine waits on the task token. */
import { z } from "zod";
import { lifecycleDeps } from "../core/lifecycle/environment.js";
import { runLifecyclePipeline } from "../core/lifecycle/pipeline.js";
import { lambda } from "../core/runtime/handler.js";

const deps = lifecycleDeps();
const Input = z.object({
  tenantId: z.string().min(1),
  action: z.enum(["deploy", "teardown"]),
  runKey: z.string().min(1),
  taskToken: z.string().min(1),
});

export const handler = lambda("run-lifecycle-pipeline", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const { pipelineExecutionId } = await runLifecyclePipeline(deps, input);
  // The task token stays out of logs and of the returned value.
  logger.info("pipeline run started", { pipelineExecutionId, action: input.action });
  return { pipelineExecutionId };
});
