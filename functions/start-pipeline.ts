/** Onboarding step: Start the tenant's deployment pipeline; the state machine waits on the task token (core/onboarding/steps.ts). */

import { pipeline } from "../core/app/deps/codepipeline.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { tasks } from "../core/app/deps/step-functions.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("runPipeline", { tenants, pipeline, tasks });
