/**
 * The execution status-change event record-failure (and the billing router) consume, under hostile input: a
 * precise ValidationError for a bad event; an execution whose own input names no tenant is left alone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExecutionStatusChange, recordExecutionFailure } from "../../../core/onboarding/record-failure.js";
import { parseInput } from "../../../core/runtime/input.js";
import { FakeTenantStore } from "../../support/fakes/tenant-store.js";
import { corruptedJson, fuzzParams, hostileString } from "../../support/hostile.js";

const detail = {
  executionArn: "arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:acme-onboard-1",
  stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
  name: "acme-onboard-1",
  status: "FAILED",
  input: '{"tenantId":"8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1"}',
  error: "ValidationError",
  cause: "bad",
};
const parse = (d: unknown) => parseInput(ExecutionStatusChange, d, "The execution status change event");

describe("execution status change events under hostile input", () => {
  it("accepts the detail Step Functions sends", () => {
    expect(parse(detail)).toMatchObject(detail);
  });

  it("refuses a corrupted detail with a ValidationError naming the field", () => {
    fc.assert(
      fc.property(corruptedJson(detail), (text) => {
        const d: unknown = JSON.parse(text);
        if (ExecutionStatusChange.safeParse(d).success) return;
        let err: Error | undefined;
        try {
          parse(d);
        } catch (e) {
          err = e as Error;
        }
        expect(err?.name).toBe("ValidationError");
        expect(err?.message).toMatch(/^The execution status change event is invalid: .+/);
        expect(err?.message.length).toBeLessThanOrEqual(600);
      }),
      fuzzParams(300),
    );
  });

  it("an execution started with input that names no tenant is not recorded, and nothing is looked up", () => {
    fc.assert(
      fc.asyncProperty(hostileString, async (input) => {
        const tenants = new FakeTenantStore();
        let looked = 0;
        const workflows = {
          start: async () => "",
          history: async () => {
            looked += 1;
            return [];
          },
        };
        const result = await recordExecutionFailure(
          { tenants, workflows },
          { ...detail, status: "FAILED", input },
        );
        expect(result).toBeUndefined();
        expect(looked).toBe(0);
      }),
      fuzzParams(200),
    );
  });
});
