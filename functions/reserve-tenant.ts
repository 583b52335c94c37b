/** Onboarding step: Reserve the tenant: confirm its record and plan; returns what the Choice needs (core/onboarding/steps.ts). */
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("reserveTenant", { tenants, plans });
