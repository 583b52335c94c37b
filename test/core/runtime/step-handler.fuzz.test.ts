/**
 * Every state machine step's handler under hostile Task payloads: a ValidationError (not retried, so the Task
 * fails at once) that says what is wrong, before the step's body or any dependency is touched.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { StepFunctionSpec } from "../../../core/app/function-spec.js";
import { LIFECYCLE_STEP_TABLE } from "../../../core/lifecycle/step-table.js";
import { ONBOARDING_STEP_TABLE } from "../../../core/onboarding/step-table.js";
import { stepHandler } from "../../../core/runtime/step-handler.js";
import { NON_RETRYABLE_ERRORS, transientRetry } from "../../../core/workflow/retry.js";
import { corruptedJson, fuzzParams, hostileValue, notAJsonObject } from "../../support/hostile.js";
import { lambdaContext } from "../../support/lambda-context.js";

const TENANT = "8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1";
/** A valid payload of each step (what the workflow's Parameters pass). */
const VALID: Record<string, Record<string, unknown>> = {
  "reserve-tenant": { tenantId: TENANT },
  "create-identity": { tenantId: TENANT },
  "setup-namespace": { tenantId: TENANT },
  "start-pipeline": { tenantId: TENANT, taskToken: "token" },
  "activate-tenant": { tenantId: TENANT },
  "set-tenant-status": { tenantId: TENANT, to: "SUSPENDED", eventId: "evt_1" },
  "record-plan": { tenantId: TENANT, plan: "standard", eventId: "evt_1" },
  "apply-namespace-policy": { tenantId: TENANT },
  "apply-sign-in": { tenantId: TENANT },
  "run-lifecycle-pipeline": { tenantId: TENANT, action: "deploy", runKey: "k", taskToken: "token" },
  "delete-namespace": { tenantId: TENANT },
  "delete-identity": { tenantId: TENANT },
  "set-purge-schedule": { tenantId: TENANT },
  "export-tenant": { tenantId: TENANT },
  "publish-tenant-events": { tenantId: TENANT, onboardingStep: true },
};

const SPECS: StepFunctionSpec[] = [
  ...Object.values(ONBOARDING_STEP_TABLE).flatMap((s) => ("function" in s ? [s.function] : [])),
  ...Object.values(LIFECYCLE_STEP_TABLE),
];

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  // Idempotent steps name their table; a refused payload never reaches it (nothing listens there).
  process.env.IDEMPOTENCY_TABLE = "embark-idempotency";
  process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
});

describe("step handlers under hostile payloads", () => {
  it("every step has a valid payload here, which its schema accepts", () => {
    expect(SPECS.map((s) => s.name).sort()).toEqual(Object.keys(VALID).sort());
    for (const spec of SPECS) expect(spec.input.safeParse(VALID[spec.name]).success, spec.name).toBe(true);
  });

  it("ValidationError is not retried by the workflows", () => {
    expect(NON_RETRYABLE_ERRORS).toContain("ValidationError");
    expect(transientRetry.flatMap((r) => r.ErrorEquals)).not.toContain("ValidationError");
  });

  it.each(SPECS.map((s) => [s.name, s] as const))(
    "%s refuses a bad payload before its body runs",
    async (name, spec) => {
      let ran = 0;
      let depsMade = 0;
      const handler = stepHandler(
        spec,
        () => {
          depsMade += 1;
          return {};
        },
        async () => {
          ran += 1;
          return {};
        },
      );
      const valid = VALID[name] as Record<string, unknown>;
      const payload = fc.oneof(
        corruptedJson(valid).map((t) => JSON.parse(t) as unknown),
        notAJsonObject.map((t): unknown => {
          try {
            return JSON.parse(t);
          } catch {
            return t;
          }
        }),
        hostileValue,
      );
      await fc.assert(
        fc.asyncProperty(payload, async (event) => {
          // Extra fields are harmless (the schema strips them); everything else is refused.
          if (spec.input.safeParse(event).success) return;
          const err = await handler(event as never, lambdaContext(name)).then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          expect(err?.name).toBe("ValidationError");
          expect(err?.message).toMatch(new RegExp(`^The input of ${name} is invalid: .+`));
          expect(err?.message.length).toBeLessThanOrEqual(600);
        }),
        fuzzParams(60),
      );
      expect(ran).toBe(0);
      expect(depsMade).toBe(0);
    },
  );

  it("names the field and the rule", async () => {
    const spec = ONBOARDING_STEP_TABLE.reserveTenant.function;
    const handler = stepHandler(
      spec,
      () => ({}),
      async () => ({}),
    );
    await expect(handler({ tenantId: "x".repeat(3000) } as never, lambdaContext(spec.name))).rejects.toThrow(
      "The input of reserve-tenant is invalid: tenantId must be a tenant id (a UUID)",
    );
    await expect(handler({} as never, lambdaContext(spec.name))).rejects.toThrow(
      "The input of reserve-tenant is invalid: tenantId is required",
    );
  });
});
