/** Onboarding step: Reserve the tenant: confirm its record and plan; returns what the Choice needs (core/onboarding/steps.ts). */
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("reserveTenant");
