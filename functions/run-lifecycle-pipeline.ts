/** Lifecycle step: Deploy or tear down dedicated resources; the state machine waits on the task token (core/lifecycle/steps.ts). */

import { pipeline } from "../core/app/deps/codepipeline.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { tasks } from "../core/app/deps/step-functions.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("runLifecyclePipeline", { tenants, pipeline, tasks });
