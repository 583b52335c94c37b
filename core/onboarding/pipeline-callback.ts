/**
 * Answers the onboarding task (or the lifecycle task) waiting on a pipeline run when CodePipeline reports the
 * run's end, and sends a heartbeat on every other state change of that run.
 */
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import * as z from "zod";
import { answerRunIfFinished } from "../lifecycle/pipeline.js";
import type { OnboardingDeps } from "./deps.js";
import { answerIfFinished } from "./steps.js";

/** The EventBridge event (Powertools parser's schema) of a CodePipeline state change. */
export const PipelineStateChange = EventBridgeSchema.extend({
  source: z.literal("aws.codepipeline"),
  detail: z.looseObject({
    pipeline: z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/, { error: "pipeline must be a pipeline name" }),
    "execution-id": z.uuid({ error: "execution-id must be a pipeline execution id (a UUID)" }),
    state: z
      .string()
      .regex(/^[A-Z_]{1,30}$/, { error: "state must be a pipeline state (STARTED, SUCCEEDED, …)" }),
  }),
});
export type PipelineStateChange = z.infer<typeof PipelineStateChange>;

/** The tenant pipeline's run and stage state changes: what this function listens to. */
export function pipelineStateChangePattern(pipelineName: string) {
  return {
    source: ["aws.codepipeline"],
    "detail-type": [
      "CodePipeline Pipeline Execution State Change",
      "CodePipeline Stage Execution State Change",
    ],
    detail: { pipeline: [pipelineName] },
  };
}

export async function onPipelineStateChange(
  d: Pick<OnboardingDeps, "tenants" | "pipeline" | "tasks">,
  change: PipelineStateChange,
): Promise<"answered" | "heartbeat" | "ignored"> {
  const { pipeline, "execution-id": executionId } = change.detail;
  if (pipeline !== d.pipeline.pipelineName) return "ignored";
  // A lifecycle workflow (plan change, offboarding) waiting on this very run.
  const lifecycle = await d.tenants.getRunWaiter(executionId);
  if (lifecycle) {
    if (await answerRunIfFinished(d, executionId, lifecycle.taskToken)) return "answered";
    await d.tasks.heartbeat(lifecycle.taskToken);
    return "heartbeat";
  }
  const tenantId = (await d.pipeline.variables(executionId)).TENANT_ID;
  if (!tenantId) return "ignored";
  const tenant = await d.tenants.get(tenantId);
  const taskToken = await d.tenants.getPipelineWaiter(tenantId);
  // Only the run the tenant's step waits on counts; older runs (before a redrive) are ignored.
  if (!tenant || !taskToken || tenant.resources.pipelineExecutionId !== executionId) return "ignored";
  if (await answerIfFinished(d, tenantId, executionId, taskToken)) return "answered";
  await d.tasks.heartbeat(taskToken);
  return "heartbeat";
}
