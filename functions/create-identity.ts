/** Onboarding step: Create the tenant's Cognito user pool, app client, admins group and admin user (core/onboarding/steps.ts). */
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("createIdentity");
