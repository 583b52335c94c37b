/** Onboarding step: Mark the tenant ACTIVE and return the ids of everything onboarding created (core/onboarding/steps.ts). */
import { tenants } from "../core/app/deps/dynamodb.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("activateTenant", { tenants });
