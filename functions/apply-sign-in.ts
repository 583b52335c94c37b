/** Lifecycle step: Enable (ACTIVE) or disable (SUSPENDED) the users of the tenant's pool (core/lifecycle/steps.ts). */

import { identity } from "../core/app/deps/cognito.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("applySignIn", { tenants, identity });
