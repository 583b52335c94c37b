/** The CodePipeline state-change event pipeline-callback consumes, under hostile events: a precise ValidationError. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PipelineStateChange } from "../../../core/onboarding/pipeline-callback.js";
import { parseInput } from "../../../core/runtime/input.js";
import { corruptedJson, fuzzParams } from "../../support/hostile.js";

const detail = {
  pipeline: "embark-tenant-pipeline",
  "execution-id": "3f0b1d3e-1c1a-4c59-9d1f-2b6a2b7c1e10",
  state: "SUCCEEDED",
};
const event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "CodePipeline Pipeline Execution State Change",
  source: "aws.codepipeline",
  account: "000000000000",
  time: "2026-01-01T00:00:00Z",
  region: "us-east-1",
  resources: [],
  detail,
};
const parse = (e: unknown) => parseInput(PipelineStateChange, e, "The pipeline state change event");

describe("pipeline state change events under hostile input", () => {
  it("accepts the event CodePipeline sends", () => {
    expect(parse(event).detail).toMatchObject(detail);
  });

  it("refuses a corrupted envelope or detail with a ValidationError naming the field", () => {
    const hostile = fc.oneof(
      corruptedJson(event).map((t) => JSON.parse(t) as unknown),
      corruptedJson(detail).map((d) => ({ ...event, detail: JSON.parse(d) as unknown })),
    );
    fc.assert(
      fc.property(hostile, (e) => {
        if (PipelineStateChange.safeParse(e).success) return; // an extra field, or a value that still fits
        expect(() => parse(e)).toThrow(/^The pipeline state change event is invalid: .+/);
        try {
          parse(e);
        } catch (err) {
          expect((err as Error).name).toBe("ValidationError");
          expect((err as Error).message.length).toBeLessThanOrEqual(600);
        }
      }),
      fuzzParams(300),
    );
  });

  it.each([
    [
      { "execution-id": "../../x" },
      "detail.execution-id: execution-id must be a pipeline execution id (a UUID)",
    ],
    [{ "execution-id": "e".repeat(5000) }, "execution-id must be a pipeline execution id"],
    [{ pipeline: "a\r\nb" }, "detail.pipeline: pipeline must be a pipeline name"],
    [{ state: "<script>" }, "detail.state: state must be a pipeline state"],
  ])("refuses %j: %s", (patch, message) => {
    expect(() => parse({ ...event, detail: { ...detail, ...patch } })).toThrow(message);
  });
});
