/**
 * The local cloud's fault injector: one per process, shared by the edge, the Kubernetes stand-in and the delivery
 * points (SQS event sources, EventBridge targets, Step Functions Lambda Tasks), since they all run in one process.
 * Its plan comes from EMBARK_FAULTS at start and from `POST /_embark/faults` later (http.ts).
 */
import { readFileSync } from "node:fs";
import { FaultInjector } from "./decide.js";
import { type FaultPlan, FaultPlanError, NO_FAULTS, parseFaultPlan } from "./plan.js";

export const faults = new FaultInjector();

/**
 * The plan EMBARK_FAULTS names: JSON text (starting with `{`) or a path to a JSON file; none when unset.
 * Throws FaultPlanError when it cannot be read or is invalid, so a typo never runs a soak without faults.
 */
export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
  const raw = env.EMBARK_FAULTS?.trim();
  if (!raw) return NO_FAULTS;
  let text = raw;
  if (!raw.startsWith("{")) {
    try {
      text = readFileSync(raw, "utf8");
    } catch (err) {
      throw new FaultPlanError(`EMBARK_FAULTS: cannot read ${raw}: ${(err as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FaultPlanError(`EMBARK_FAULTS: not JSON: ${(err as Error).message}`);
  }
  return parseFaultPlan(json);
}
