/** POST /signups: validate the form, claim the slug, create the tenant and queue its onboarding (202). */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from "@aws-lambda-powertools/idempotency";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { plans, rateLimiter, tenants } from "../core/app/deps/dynamodb.js";
import { signups } from "../core/app/deps/sqs.js";
import { dependencies } from "../core/app/environment.js";
import { json } from "../core/http/response.js";
import { UnknownPlanError } from "../core/plans/errors.js";
import { lambda } from "../core/runtime/handler.js";
import { HttpProblem, jsonBody } from "../core/runtime/http.js";
import { onceEach } from "../core/runtime/idempotency.js";
import { checkSignupLimits, SignupRateLimitedError, signupLimits } from "../core/signup/rate-limit.js";
import { MAX_SIGNUP_BODY_BYTES, parseSignup, type SignupRequest } from "../core/signup/request.js";
import { signupTenantId, submitSignup } from "../core/signup/submit.js";
import { SlugTakenError } from "../core/tenant/errors.js";

const deps = dependencies({ tenants, plans, signups, rateLimiter, limits: signupLimits });

type Signup = { request: SignupRequest; sourceIp: string };
/** A signup counts against the rate limits, then makes its tenant. */
async function submit({ request, sourceIp, key }: Signup & { key?: string }) {
  await checkSignupLimits(deps, { sourceIp, adminEmail: request.adminEmail });
  // With a key, a re-run after a crash makes the same tenant (not a 409 for its own slug).
  return submitSignup(deps, request, undefined, key ? { tenantId: signupTenantId(key, request) } : {});
}
// The same Idempotency-Key with the same body returns the first 202 (and counts once); with another body it is
// refused.
const submitOnce = onceEach("signup-intake", (input: Signup & { key: string }) => submit(input), {
  key: "key",
  validate: "request",
  expiresAfterSeconds: 24 * 60 * 60,
});

export const handler = lambda(
  "signup-intake",
  async (event: APIGatewayProxyEventV2, context, { logger, metrics }) => {
    const parsed = parseSignup(jsonBody(event, MAX_SIGNUP_BODY_BYTES));
    if (!parsed.ok)
      throw new HttpProblem(parsed.status, parsed.error.code, parsed.error.message, parsed.error.field);
    const key = event.headers?.["idempotency-key"];
    if (key !== undefined && !/^[\w.:-]{8,128}$/.test(key)) {
      throw new HttpProblem(
        400,
        "invalid_idempotency_key",
        "Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 _ . : -",
      );
    }
    submitOnce.registerLambdaContext(context);
    const signup = { request: parsed.value, sourceIp: event.requestContext.http.sourceIp };
    const accepted = key ? await submitOnce.run({ key, ...signup }) : await submit(signup);
    logger.appendKeys({ tenantId: accepted.tenantId });
    logger.info("signup accepted", { slug: accepted.slug, plan: accepted.plan });
    metrics.addMetric("SignupsAccepted", "Count", 1);
    const statusUrl = `/tenants/${accepted.tenantId}`;
    return json(202, { ...accepted, statusUrl }, { location: statusUrl });
  },
  {
    errors: [
      {
        error: SignupRateLimitedError,
        status: 429,
        code: "rate_limited",
        headers: (err) => ({ "retry-after": String((err as SignupRateLimitedError).retryAfterSeconds) }),
      },
      { error: SlugTakenError, status: 409, code: "slug_taken", field: "slug" },
      { error: UnknownPlanError, status: 422, code: "unknown_plan", field: "plan" },
      {
        error: IdempotencyValidationError,
        status: 422,
        code: "idempotency_key_reused",
        message: "This Idempotency-Key was already used with a different request",
      },
      {
        error: IdempotencyAlreadyInProgressError,
        status: 409,
        code: "request_in_progress",
        message: "A request with this Idempotency-Key is still being processed; retry shortly",
      },
    ],
  },
);
