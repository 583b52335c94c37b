import { describe, expect, it } from "vitest";
import { FaultInjector } from "../../../local/faults/decide.js";
import { faultPlanFromEnv } from "../../../local/faults/index.js";
import { FaultPlanError, matches, parseFaultPlan, uniformPlan } from "../../../local/faults/plan.js";

describe("fault plan", () => {
  it("matches service:Operation with wildcards", () => {
    expect(matches("dynamodb:*", "dynamodb", "PutItem")).toBe(true);
    expect(matches("cognito-idp:CreateUserPool", "cognito-idp", "CreateUserPool")).toBe(true);
    expect(matches("cognito-idp:CreateUserPool", "cognito-idp", "CreateUserPoolClient")).toBe(false);
    expect(matches("*:Get*", "dynamodb", "GetItem")).toBe(true);
    expect(matches("*", "kubernetes", "apply")).toBe(true);
  });

  it("refuses unknown fields, probabilities out of range and sums over 1, naming each", () => {
    expect(() => parseFaultPlan({ rules: [{ match: "dynamodb:*", throttel: 0.1 }] })).toThrow(/throttel/);
    expect(() => parseFaultPlan({ rules: [{ match: "dynamodb:*", throttle: 2 }] })).toThrow(
      /rules\.0\.throttle/,
    );
    expect(() => parseFaultPlan({ rules: [{ match: "dynamodb", throttle: 0.1 }] })).toThrow(FaultPlanError);
    expect(() => parseFaultPlan({ delivery: { sqsDuplicate: -1 } })).toThrow(/delivery\.sqsDuplicate/);
  });

  it("EMBARK_FAULTS: inline JSON or a file; a bad one fails loudly", () => {
    expect(faultPlanFromEnv({}).rules).toEqual([]);
    expect(
      faultPlanFromEnv({ EMBARK_FAULTS: '{"rules":[{"match":"sqs:*","drop":0.5}]}' }).rules[0]?.drop,
    ).toBe(0.5);
    expect(() => faultPlanFromEnv({ EMBARK_FAULTS: "/nonexistent/plan.json" })).toThrow(/cannot read/);
    expect(() => faultPlanFromEnv({ EMBARK_FAULTS: "{nope" })).toThrow(/not JSON/);
  });
});

describe("fault injector", () => {
  it("the first matching rule decides; draws follow the probabilities; every fault is counted", () => {
    const f = new FaultInjector();
    f.setPlan(
      parseFaultPlan({
        seed: 7,
        rules: [
          { match: "dynamodb:GetItem" },
          { match: "dynamodb:*", throttle: 0.25, serverError: 0.25, drop: 0.25, lostResponse: 0.25 },
        ],
      }),
    );
    for (let i = 0; i < 100; i++) expect(f.decide("dynamodb", "GetItem").kind).toBe("none");
    const kinds = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const k = f.decide("dynamodb", "PutItem").kind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    expect(kinds.get("none")).toBeUndefined();
    for (const k of ["throttle", "serverError", "drop", "lostResponse"]) {
      expect(kinds.get(k)).toBeGreaterThan(800);
      expect(kinds.get(k)).toBeLessThan(1200);
    }
    const counts = f.snapshot();
    expect(counts.total).toBe(4000);
    expect(counts.decisions).toBe(4100);
    expect(f.decide("sqs", "SendMessage").kind).toBe("none");
  });

  it("guaranteed cases: the first call per operation loses its answer, the first Task per function crashes", () => {
    const f = new FaultInjector();
    f.setPlan(
      parseFaultPlan({
        rules: [{ match: "*", lostResponseFirst: true }],
        delivery: { crashAfterEffectFirst: true },
      }),
    );
    expect(f.decide("dynamodb", "PutItem").kind).toBe("lostResponse");
    expect(f.decide("dynamodb", "PutItem").kind).toBe("none");
    expect(f.decide("dynamodb", "GetItem").kind).toBe("lostResponse");
    expect(f.delivery("crashAfterEffect", "create-user-pool")).toBe(true);
    expect(f.delivery("crashAfterEffect", "create-user-pool")).toBe(false);
    expect(f.snapshot().byKind).toMatchObject({ lostResponse: 2, crashAfterEffect: 1 });
  });

  it("a seeded plan draws the same sequence", () => {
    const draw = () => {
      const f = new FaultInjector();
      f.setPlan(uniformPlan(0.5, { seed: 42 }));
      return Array.from({ length: 50 }, () => f.decide("states", "StartExecution").kind);
    };
    expect(draw()).toEqual(draw());
  });
});
