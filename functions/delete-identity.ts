/** Lifecycle step: Delete the tenant's user pool(s) (core/lifecycle/steps.ts). */

import { identity } from "../core/app/deps/cognito.js";
import { tenants } from "../core/app/deps/dynamodb.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("deleteIdentity", { tenants, identity });
