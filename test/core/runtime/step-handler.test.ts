// A step's transient failure reaches Step Functions as TransientError, the name its Retry matches; anything else
// keeps its name (lifecycle steps let raw SDK and socket errors through: a cancellation failed at its first
// `TimeoutError: socket hang up`).
import { beforeAll, describe, expect, it } from "vitest";
import { LIFECYCLE_STEP_TABLE } from "../../../core/lifecycle/step-table.js";
import { stepHandler } from "../../../core/runtime/step-handler.js";
import { StepError, transientRetry } from "../../../core/workflow/retry.js";
import { lambdaContext } from "../../support/lambda-context.js";

const TENANT = "8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1";

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const failingWith = (err: Error) =>
  stepHandler(
    LIFECYCLE_STEP_TABLE.exportTenant,
    () => ({}),
    async () => {
      throw err;
    },
  );

const nameOf = (err: Error) =>
  failingWith(err)({ tenantId: TENANT } as never, lambdaContext("export-tenant")).then(
    () => "resolved",
    (e: Error) => e.name,
  );

describe("stepHandler errors", () => {
  it("turns a socket hang-up, a 5xx and an SDK-retryable error into TransientError, which Retry matches", async () => {
    const hangUp = Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    const server = Object.assign(new Error("We encountered an internal error"), {
      name: "InternalError",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    const retryable = Object.assign(new Error("slow down"), { name: "SlowDown", $retryable: {} });
    for (const err of [hangUp, server, retryable]) expect(await nameOf(err)).toBe("TransientError");
    expect(transientRetry[0]?.ErrorEquals).toContain("TransientError");
  });

  it("keeps the name of an error retrying cannot fix", async () => {
    expect(await nameOf(new StepError("ValidationError", "not CANCELLED"))).toBe("ValidationError");
    const denied = Object.assign(new Error("no"), { name: "AccessDeniedException", $fault: "client" });
    expect(await nameOf(denied)).toBe("AccessDeniedException");
  });
});
