/**
 * The one way a state machine step becomes a Lambda handler: parse the Task's payload with the step's schema,
 * run the step's core body with the function's dependencies, log and return its result (ids only, never a
 * secret). Powertools idempotency when the step's spec names a key. A transient AWS or network error the body
 * lets through becomes TransientError, which every step's Retry matches (a raw `TimeoutError: socket hang up`
 * from S3 failed a cancellation at its first attempt).
 */
import type { StepFunctionSpec } from "../app/function-spec.js";
import { toStepError } from "../workflow/retry.js";
import { lambda } from "./handler.js";
import { idempotentHandler } from "./idempotency.js";
import { parseInput } from "./input.js";

export function stepHandler<D>(
  spec: StepFunctionSpec,
  deps: () => D,
  /** Takes the input `spec.input` parses (the step tables pair each schema with its body). */
  body: (d: D, input: never) => Promise<unknown>,
) {
  let d: D | undefined;
  return lambda(
    spec.name,
    async (input: unknown, _context, { logger }) => {
      const tenantId = (input as { tenantId?: unknown }).tenantId;
      if (typeof tenantId === "string") logger.appendKeys({ tenantId });
      d ??= deps();
      const result = await body(d, input as never).catch((err: unknown) => {
        throw toStepError(err);
      });
      logger.info("step done", { result });
      return result;
    },
    {
      // A bad payload fails the Task at once (ValidationError is not retried) with what is wrong in it, before
      // idempotency or the body see it.
      validate: {
        before: (request) => {
          request.event = parseInput(spec.input, request.event, `The input of ${spec.name}`);
        },
      },
      ...(spec.idempotencyKey
        ? { idempotent: idempotentHandler(spec.name, { key: spec.idempotencyKey }) }
        : {}),
    },
  );
}
