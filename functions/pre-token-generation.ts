/**
 * Cognito pre-token-generation trigger of every tenant pool: the tenant's id, slug and plan as claims in the
 * ID and access tokens (core/tenant/token-claims.ts).
 */
import { tenants } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { lambda } from "../core/runtime/handler.js";
import { addTenantClaims, PreTokenGenerationEvent } from "../core/tenant/token-claims.js";

const deps = dependencies({ tenants });

export const handler = lambda("pre-token-generation", async (event: unknown, _context, { logger }) => {
  const parsed = PreTokenGenerationEvent.parse(event);
  const answered = await addTenantClaims(deps, parsed);
  logger.info("tenant claims added", { userPoolId: parsed.userPoolId, triggerSource: parsed.triggerSource });
  return answered;
});
