/** Lifecycle step: Deploy or tear down dedicated resources; the state machine waits on the task token (core/lifecycle/steps.ts). */
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("runLifecyclePipeline");
