/**
 * The tenant deployment pipeline is the user's own CodePipeline (V2, with the TENANT_* variables declared,
 * execution mode QUEUED or PARALLEL); Embark only starts runs and listens for their state changes.
 */
import { pipelineStateChangePattern } from "../core/onboarding/resources.js";
import type { EmbarkConfig } from "./config.js";
import type { Context } from "./context.js";
import { type FunctionRule, ruleToFunction } from "./events.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

export const pipelineArn = (ctx: Context, config: EmbarkConfig) =>
  ctx.arn("codepipeline", config.pipelineName);

export function createPipelineWiring(
  config: EmbarkConfig,
  deps: { functions: Functions; queues: Queues },
): FunctionRule {
  return ruleToFunction("pipeline-state-change", config.pipelineName.apply(pipelineStateChangePattern), deps);
}
