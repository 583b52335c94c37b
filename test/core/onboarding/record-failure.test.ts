import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { failedStateOf, humanCause } from "../../../core/onboarding/record-failure.js";

const entered = (name: string) => ({ stateEnteredEventDetails: { name } }) as HistoryEvent;
const exited = (name: string) => ({ stateExitedEventDetails: { name } }) as HistoryEvent;

describe("failedStateOf", () => {
  it("names the Task an execution stopped in", () => {
    const events = [entered("Reserve tenant"), exited("Reserve tenant"), entered("Run deployment pipeline")];
    expect(failedStateOf(events)).toBe("Run deployment pipeline");
  });

  it("prefers the failed Task inside a Parallel over the Parallel itself", () => {
    const events = [
      entered("Reserve tenant"),
      exited("Reserve tenant"),
      entered("Provision identity and namespace"),
      entered("Create identity"),
      entered("Set up namespace"),
      exited("Create identity"),
    ];
    expect(failedStateOf(events)).toBe("Set up namespace");
  });

  it("is undefined when every state exited", () => {
    expect(failedStateOf([entered("Reserve tenant"), exited("Reserve tenant")])).toBeUndefined();
  });
});

describe("humanCause", () => {
  it("takes a Lambda error's message out of its JSON cause", () => {
    expect(humanCause('{"errorType":"TransientError","errorMessage":"Cognito throttled"}', "x")).toBe(
      "Cognito throttled",
    );
  });
  it("keeps a plain cause and falls back when there is none", () => {
    expect(humanCause("Pipeline run 1 ended Failed", "x")).toBe("Pipeline run 1 ended Failed");
    expect(humanCause(undefined, "fallback")).toBe("fallback");
  });
});
