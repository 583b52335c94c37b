/** Step: Publish tenant events: drains the tenant's outbox onto the embark-tenants bus (core/onboarding/steps.ts). */
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("publishEvents");
