/** POST /signups: validate the form, claim the slug, create the tenant and queue its onboarding (202). */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { UnknownPlanError } from "../core/adapters/plan-store.js";
import { SlugTakenError } from "../core/adapters/tenant-store.js";
import { bodyText, json, problem } from "../core/http/response.js";
import { onboardingDeps, signupsQueue } from "../core/onboarding/environment.js";
import { lambda } from "../core/runtime/handler.js";
import { idempotentSignups } from "../core/signup/idempotent-submit.js";
import { MAX_SIGNUP_BODY_BYTES, parseSignup } from "../core/signup/request.js";
import { submitSignup } from "../core/signup/submit.js";

const { tenants, plans } = onboardingDeps();
const signups = signupsQueue();
const submit = (request: Parameters<typeof submitSignup>[1]) =>
  submitSignup({ tenants, plans, signups }, request);
const submitOnce = idempotentSignups(submit);

export const handler = lambda(
  "signup-intake",
  async (event: APIGatewayProxyEventV2, context, { logger, metrics }) => {
    const text = bodyText(event);
    if (Buffer.byteLength(text) > MAX_SIGNUP_BODY_BYTES) {
      return problem(
        413,
        "body_too_large",
        `The request body must be at most ${MAX_SIGNUP_BODY_BYTES} bytes`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, "invalid_json", "The request body is not valid JSON");
    }
    const parsed = parseSignup(body);
    if (!parsed.ok)
      return problem(parsed.status, parsed.error.code, parsed.error.message, parsed.error.field);

    const key = event.headers?.["idempotency-key"];
    if (key !== undefined && !/^[\w.:-]{8,128}$/.test(key)) {
      return problem(
        400,
        "invalid_idempotency_key",
        "Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 _ . : -",
      );
    }
    try {
      const accepted = key ? await submitOnce(key, parsed.value, context) : await submit(parsed.value);
      logger.appendKeys({ tenantId: accepted.tenantId });
      logger.info("signup accepted", { slug: accepted.slug, plan: accepted.plan });
      metrics.addMetric("SignupsAccepted", "Count", 1);
      const statusUrl = `/tenants/${accepted.tenantId}`;
      return json(202, { ...accepted, statusUrl }, { location: statusUrl });
    } catch (err) {
      if (err instanceof SlugTakenError) return problem(409, "slug_taken", err.message, "slug");
      if (err instanceof UnknownPlanError) return problem(422, "unknown_plan", err.message, "plan");
      const name = err instanceof Error ? err.name : "";
      if (name === "IdempotencyValidationError") {
        return problem(
          422,
          "idempotency_key_reused",
          "This Idempotency-Key was already used with a different request",
        );
      }
      if (name === "IdempotencyAlreadyInProgressError") {
        return problem(
          409,
          "request_in_progress",
          "A request with this Idempotency-Key is still being processed; retry shortly",
        );
      }
      throw err;
    }
  },
);
