/** Onboarding step: Create the tenant's Cognito user pool, app client, admins group and admin user (core/onboarding/steps.ts). */

import { identity, signIn } from "../core/app/deps/cognito.js";
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { settings } from "../core/app/deps/ses.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("createIdentity", {
  tenants,
  plans,
  identity,
  settings,
  signIn,
});
