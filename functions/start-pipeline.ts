/** Onboarding step: Start the tenant's deployment pipeline; the state machine waits on the task token (core/onboarding/steps.ts). */
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("runPipeline");
