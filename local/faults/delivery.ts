/**
 * Delivery faults, called at the delivery points (one line each, so the emulators stay readable):
 * - `duplicated(kind, subject, deliver)`: SQS and EventBridge deliver at least once; under the plan a delivery
 *   happens twice (the second after the first settled, as a redelivery would);
 * - `taskInvocation(fn, invoke)`: a Step Functions Lambda Task invoked twice for the same state, or a Lambda that
 *   dies after its side effect and before it returns (Step Functions sees Lambda.Unknown and its Retry decides).
 */
import type { DeliveryKind } from "./decide.js";
import { faults } from "./index.js";

export async function duplicated<T>(
  kind: Extract<DeliveryKind, "sqsDuplicate" | "eventsDuplicate">,
  subject: string,
  deliver: () => Promise<T>,
): Promise<T> {
  const first = await deliver();
  if (!faults.active || !faults.delivery(kind, subject)) return first;
  return deliver();
}

/** A Lambda that died after doing its work: what Step Functions (and async Lambda retries) see. */
export class LambdaCrashError extends Error {
  override name = "Lambda.Unknown";
  constructor(functionName: string) {
    super(
      `The cause could not be determined because Lambda did not return an error type (injected fault: ${functionName} died after its side effect, before returning)`,
    );
  }
}

export async function taskInvocation<T>(functionName: string, invoke: () => Promise<T>): Promise<T> {
  if (!faults.active) return invoke();
  let result = await invoke();
  if (faults.delivery("taskDuplicate", functionName)) result = await invoke();
  if (faults.delivery("crashAfterEffect", functionName)) throw new LambdaCrashError(functionName);
  return result;
}

/** An asynchronous invocation (EventBridge/Scheduler targets, InvocationType=Event) that may die after its work. */
export async function asyncInvocation<T>(functionName: string, invoke: () => Promise<T>): Promise<T> {
  const result = await invoke();
  if (faults.active && faults.delivery("crashAfterEffect", functionName))
    throw new LambdaCrashError(functionName);
  return result;
}
