/** Dependencies backed by CodePipeline: the tenant pipeline's runs. */
import { CodePipelineRunner } from "../../adapters/pipeline.js";
import { LOCAL_NAMES, SETTINGS } from "../resources.js";

export const pipeline = (env: NodeJS.ProcessEnv) =>
  new CodePipelineRunner(env[SETTINGS.pipelineName] ?? LOCAL_NAMES.pipeline);
