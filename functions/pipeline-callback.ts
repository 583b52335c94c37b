/** CodePipeline state change (EventBridge) → SendTaskSuccess/Failure/Heartbeat for the waiting workflow. */
import { pipeline } from "../core/app/deps/codepipeline.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { tasks } from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import { onPipelineStateChange, PipelineStateChange } from "../core/onboarding/pipeline-callback.js";
import { lambda } from "../core/runtime/handler.js";
import { parseInput } from "../core/runtime/input.js";

const deps = dependencies({ tenants, pipeline, tasks });

export const handler = lambda("pipeline-callback", async (event: unknown, _context, { logger }) => {
  // A malformed event fails with what is wrong in it (on AWS it ends in the events DLQ with that message).
  const change = parseInput(PipelineStateChange, event, "The pipeline state change event");
  const outcome = await onPipelineStateChange(deps, change);
  logger.info("pipeline state change", {
    pipelineExecutionId: change.detail["execution-id"],
    state: change.detail.state,
    outcome,
  });
  return { outcome };
});
