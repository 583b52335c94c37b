import { describe, expect, it } from "vitest";
import { FUNCTIONS, visibilityTimeoutFor } from "../../../core/app/manifest.js";
import { localVisibilityTimeout } from "../../../local/embark/visibility-timeout.js";

describe("localVisibilityTimeout", () => {
  it("is 6× the consumer's timeout without a cap", () => {
    expect(localVisibilityTimeout("emails", undefined)).toBe(visibilityTimeoutFor("emails"));
    expect(localVisibilityTimeout("emails", "nonsense")).toBe(visibilityTimeoutFor("emails"));
  });

  it("takes a cap between the consumer's timeout and 6× it", () => {
    expect(localVisibilityTimeout("emails", "45")).toBe(45);
    expect(localVisibilityTimeout("emails", "100000")).toBe(visibilityTimeoutFor("emails"));
  });

  it("never hides a message for less than its consumer may run (a killed mailer's IN_PROGRESS record)", () => {
    // The soak's cap of 15 s is below the mailer's 30 s: a redelivery would meet IdempotencyAlreadyInProgressError.
    expect(localVisibilityTimeout("emails", "15")).toBe(FUNCTIONS.mailer.timeoutSeconds);
    expect(localVisibilityTimeout("signups", "1")).toBe(FUNCTIONS["onboarding-starter"].timeoutSeconds);
  });
});
