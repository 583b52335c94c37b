import { describe, expect, it } from "vitest";
import { codeBuildPerTenant, PRICES, pathOf, priceUsage, unitsOf, walk } from "../../scripts/cost.js";

describe("npm run cost", () => {
  it("prices a small usage by hand", () => {
    const c = priceUsage({
      stateTransitions: 4,
      invocations: [{ fn: "a", memoryMB: 1024, ms: 500 }],
      sqsRequests: 10,
      dynamoWriteUnits: 2,
      dynamoReadUnits: 4,
      customEvents: 1,
      sesEmails: 1,
      codePipelineActionMinutes: 3,
    });
    expect(c.stateTransitions).toBeCloseTo(4 * 0.000025, 12);
    expect(c.lambda).toBeCloseTo(0.5 * 0.0000166667 + 0.0000002, 12);
    expect(c.sqs).toBeCloseTo(10 * 0.0000004, 12);
    expect(c.dynamodb).toBeCloseTo(2 * 0.00000125 + 4 * 0.00000025, 12);
    expect(c.eventBridge).toBeCloseTo(0.000001, 12);
    expect(c.ses).toBeCloseTo(0.0001, 12);
    expect(c.codePipeline).toBeCloseTo(0.006, 12);
    expect(c.total).toBeCloseTo(
      c.stateTransitions + c.lambda + c.sqs + c.dynamodb + c.eventBridge + c.ses + c.codePipeline,
      12,
    );
  });

  it("counts the states a path enters, Parallel branches and the chosen branch included", () => {
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:";
    const machine = {
      StartAt: "A",
      States: {
        A: { Type: "Task", Resource: `${arn}a`, Next: "P" },
        P: {
          Type: "Parallel",
          Branches: [
            { StartAt: "B", States: { B: { Type: "Task", Resource: `${arn}b`, End: true } } },
            { StartAt: "C", States: { C: { Type: "Task", Resource: `${arn}c`, End: true } } },
          ],
          Next: "Q",
        },
        Q: { Type: "Choice", Choices: [{ Variable: "$.x.y", BooleanEquals: true, Next: "D" }], Default: "E" },
        D: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Next: "E" },
        E: { Type: "Succeed" },
      },
    };
    expect(walk(machine, { x: { y: true } })).toEqual({
      transitions: 7,
      lambdas: ["a", "b", "c"],
      sqsSends: 1,
    });
    expect(walk(machine, { x: { y: false } })).toEqual({
      transitions: 6,
      lambdas: ["a", "b", "c"],
      sqsSends: 0,
    });
  });

  it("walks the onboarding machine: the pipeline only for dedicated resources", () => {
    const shared = pathOf("onboarding", { tenant: { dedicatedResources: false } });
    const dedicated = pathOf("onboarding", { tenant: { dedicatedResources: true } });
    expect(dedicated.transitions).toBe(shared.transitions + 1);
    expect(dedicated.lambdas.length).toBe(shared.lambdas.length + 1);
    expect(shared.sqsSends).toBe(1);
  });

  it("turns calls into billable units", () => {
    expect(
      unitsOf({
        "dynamodb PutItem t": 2,
        "dynamodb GetItem t": 3,
        "sqs SendMessage q": 1,
        "sqs GetQueueUrl q": 5,
        "events PutEvents embark.tenants": 1,
        "events PutEvents aws.states": 2,
        "ses SendEmail": 1,
      }),
    ).toEqual({ w: 2, r: 3, sqs: 1, events: 1, ses: 1 });
  });

  it("prices a CodeBuild job per tenant by its minutes", () => {
    expect(codeBuildPerTenant(5)).toBeCloseTo(5 * PRICES.codeBuildGeneral1SmallMinute, 12);
  });
});
