/** Onboarding step: Create the tenant's Cognito user pool, app client, admins group and admin user (core/onboarding/steps.ts). */

import { identity } from "../core/app/deps/cognito.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("createIdentity", { tenants, identity });
