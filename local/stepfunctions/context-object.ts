// The Context Object ($$) given to aws-local-stepfunctions for a run.
//
// The library copies it per (sub-)machine: top-level keys are kept as given, `Execution` is rebuilt with the
// sub-machine's input and the current time, nested objects are shared by reference (so getters stay live).
// definition.ts therefore rewrites `$$.Execution.*` to `$$.EmbarkExecution.*` and `$$.State.*` to
// `$$.EmbarkState.s<i>.*`. `$$.Task.Token` and a Task's `$$.State.RetryCount` are not known when the library
// evaluates Parameters: they resolve to placeholders that the Task handler replaces with the real values.
import { randomUUID } from "node:crypto";
import type { PreparedDefinition } from "./definition.js";
import type { ExecutionRecord } from "./model.js";

type Json = Record<string, unknown>;

export interface Placeholders {
  token: string;
  retryCount: string;
}

export function newPlaceholders(): Placeholders {
  return { token: `__sfn_task_token_${randomUUID()}__`, retryCount: `__sfn_retry_count_${randomUUID()}__` };
}

export function contextObject(
  rec: ExecutionRecord,
  prepared: PreparedDefinition,
  retryCounts: Map<string, number>,
  placeholders: Placeholders,
): Json {
  const execution: Json = {
    Id: rec.executionArn,
    Name: rec.name,
    RoleArn: rec.roleArn,
    RedriveCount: rec.redriveCount,
    Input: JSON.parse(rec.input),
    StartTime: new Date(rec.startDate).toISOString(),
  };
  if (rec.redriveDate !== undefined) execution.RedriveTime = new Date(rec.redriveDate).toISOString();
  const states: Json = {};
  for (const info of prepared.states.values()) {
    const entry: Json = { Name: info.name };
    // Parameters are evaluated when the state is entered (or retried), so "now" is the entered time.
    Object.defineProperty(entry, "EnteredTime", { enumerable: true, get: () => new Date().toISOString() });
    Object.defineProperty(entry, "RetryCount", {
      enumerable: true,
      get: () => (info.type === "Task" ? placeholders.retryCount : (retryCounts.get(info.name) ?? 0)),
    });
    states[`s${info.index}`] = entry;
  }
  return {
    Execution: { ...execution },
    EmbarkExecution: execution,
    StateMachine: { Id: rec.stateMachineArn, Name: rec.stateMachineArn.split(":").at(-1) },
    EmbarkState: states,
    Task: { Token: placeholders.token },
  };
}

/** Swaps a Task's placeholders (whole values or inside strings, e.g. States.Format) for the real values. */
export function resolvePlaceholders(
  value: unknown,
  placeholders: Placeholders,
  real: { token?: string; retryCount: number },
): unknown {
  const map = new Map<string, unknown>([[placeholders.retryCount, real.retryCount]]);
  if (real.token !== undefined) map.set(placeholders.token, real.token);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (map.has(v)) return map.get(v);
      let out = v;
      for (const [placeholder, replacement] of map) {
        if (out.includes(placeholder)) out = out.split(placeholder).join(String(replacement));
      }
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
