// State machine definitions: validation for CreateStateMachine, and the copy handed to aws-local-stepfunctions
// for a run. The copy is rewritten where the library differs from AWS (see prepareDefinition).
import { StateMachine } from "aws-local-stepfunctions";
import { AwsError } from "../aws/errors.js";

type Json = Record<string, unknown>;

/** The library arms a setTimeout per Task; Node clamps delays above 2^31-1 ms to 1 ms, so cap there. */
export const MAX_TASK_TIMEOUT_SECONDS = 2_147_483;

export interface StateInfo {
  name: string;
  type: string;
  /** Position in the whole machine: the key of this state in the context's `EmbarkState`. */
  index: number;
  /** "" for top-level states, "<Parallel>#<branch>" or "<Map>#map" for nested ones. */
  scope: string;
  /** The state as written by the user (before any rewrite). */
  original: Json;
}

export interface PreparedDefinition {
  definition: Json;
  states: Map<string, StateInfo>;
  topLevel: Set<string>;
}

/** Parses and validates a definition as CreateStateMachine/UpdateStateMachine do (InvalidDefinition otherwise). */
export function parseDefinition(definition: unknown): Json {
  let parsed: unknown = definition;
  if (typeof definition === "string") {
    try {
      parsed = JSON.parse(definition);
    } catch (err) {
      throw invalid(`INVALID_JSON_DESCRIPTION: ${(err as Error).message}`);
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalid("SCHEMA_VALIDATION_FAILED: the definition must be a JSON object");
  }
  const def = parsed as Json;
  // Fail loudly on what the library would silently ignore (and so run differently from AWS).
  rejectUnsupported(def);
  try {
    // The library validates with asl-validator (ARNs and JSONPaths checked); the validator mutates its input.
    new StateMachine(structuredClone(def) as never);
  } catch (err) {
    const text = (err as Error).message.replace(
      /^State machine definition is invalid, see error\(s\) below:\s*/,
      "",
    );
    throw invalid(text.trim());
  }
  return def;
}

function invalid(detail: string): AwsError {
  return new AwsError("InvalidDefinition", `Invalid State Machine Definition: '${detail}'`);
}

function rejectUnsupported(machine: Json, where = ""): void {
  if (machine.QueryLanguage === "JSONata") {
    throw invalid(
      `UNSUPPORTED_FEATURE: JSONata is not supported by the local Step Functions${where}; use JSONPath`,
    );
  }
  const states = machine.States;
  if (!states || typeof states !== "object") return;
  for (const [name, state] of Object.entries(states as Record<string, Json>)) {
    if (!state || typeof state !== "object") continue;
    if (state.QueryLanguage === "JSONata") {
      throw invalid(
        `UNSUPPORTED_FEATURE: JSONata is not supported by the local Step Functions (state ${name})`,
      );
    }
    for (const field of [
      "Assign",
      "Arguments",
      "Output",
      "Items",
      "ItemReader",
      "ItemBatcher",
      "ResultWriter",
    ]) {
      if (field in state) {
        throw invalid(
          `UNSUPPORTED_FEATURE: field ${field} is not supported by the local Step Functions (state ${name})`,
        );
      }
    }
    const processor = state.ItemProcessor as Json | undefined;
    const mode = (processor?.ProcessorConfig as Json | undefined)?.Mode;
    if (mode === "DISTRIBUTED") {
      throw invalid(
        `UNSUPPORTED_FEATURE: distributed Map is not supported by the local Step Functions (state ${name})`,
      );
    }
    for (const branch of (state.Branches as Json[] | undefined) ?? [])
      rejectUnsupported(branch, ` (in ${name})`);
    const iterator = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
    if (iterator) rejectUnsupported(iterator, ` (in ${name})`);
  }
}

/**
 * The copy of a definition given to the library for one run:
 * - `$$.Execution.*` → `$$.EmbarkExecution.*` and `$$.State.*` → `$$.EmbarkState.s<i>.*`: the library rebuilds
 *   `$$.Execution` per (sub-)machine with the sub-machine's input and the current time, which is wrong inside
 *   Parallel branches, Map iterations and redrives; other context keys are passed through untouched.
 * - Tasks without TimeoutSeconds get the longest timer Node allows (the library defaults to 60 s; AWS has none).
 * - Retry intervals (IntervalSeconds, MaxDelaySeconds) are multiplied by `retryIntervalScale`, keeping BackoffRate
 *   and JitterStrategy (the library's retryIntervalOverrides can only set one fixed pause per retrier).
 * - `ResultPath: "$"` is dropped (same meaning; the library writes a key named "$"), and a Pass state's falsy
 *   `Result` (0, false, "", null) becomes `Parameters` (the library ignores falsy Results).
 */
export function prepareDefinition(
  definition: Json,
  opts: { retryIntervalScale: number; startAt?: string },
): PreparedDefinition {
  const copy = structuredClone(definition);
  const states = new Map<string, StateInfo>();
  let counter = 0;

  const walkMachine = (machine: Json, scope: string): void => {
    for (const [name, state] of Object.entries((machine.States ?? {}) as Record<string, Json>)) {
      const index = counter++;
      states.set(name, { name, type: String(state.Type), index, scope, original: structuredClone(state) });
      rewriteState(state, index, opts.retryIntervalScale);
      if (state.Type === "Parallel") {
        (state.Branches as Json[]).forEach((branch, i) => {
          walkMachine(branch, `${name}#${i}`);
        });
      }
      if (state.Type === "Map") {
        const iterator = (state.ItemProcessor ?? state.Iterator) as Json;
        // The library's iterator machine takes no ProcessorConfig; keep only what it reads.
        delete iterator.ProcessorConfig;
        walkMachine(iterator, `${name}#map`);
      }
    }
  };
  walkMachine(copy, "");
  delete copy.QueryLanguage;
  if (opts.startAt) copy.StartAt = opts.startAt;
  return { definition: copy, states, topLevel: new Set(Object.keys((copy.States ?? {}) as Json)) };
}

function rewriteState(state: Json, index: number, scale: number): void {
  for (const [key, value] of Object.entries(state)) {
    if (key === "Result" || key === "Branches" || key === "Iterator" || key === "ItemProcessor") continue;
    state[key] = rewriteRefs(key, value, index);
  }
  delete state.QueryLanguage;
  if (state.ResultPath === "$") delete state.ResultPath;
  for (const catcher of (state.Catch as Json[] | undefined) ?? []) {
    if (catcher.ResultPath === "$") delete catcher.ResultPath;
  }
  if (state.Type === "Pass" && "Result" in state && !state.Result) {
    state.Parameters = state.Result;
    delete state.Result;
  }
  if (state.Type === "Task" && state.TimeoutSecondsPath === undefined) {
    const seconds =
      typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : MAX_TASK_TIMEOUT_SECONDS;
    state.TimeoutSeconds = Math.min(seconds, MAX_TASK_TIMEOUT_SECONDS);
  }
  if (scale !== 1) {
    for (const retrier of (state.Retry as Json[] | undefined) ?? []) {
      retrier.IntervalSeconds =
        (typeof retrier.IntervalSeconds === "number" ? retrier.IntervalSeconds : 1) * scale;
      if (typeof retrier.MaxDelaySeconds === "number") retrier.MaxDelaySeconds *= scale;
    }
  }
}

function rewriteRefs(key: string, value: unknown, index: number): unknown {
  if (typeof value === "string") {
    if (!(key.endsWith(".$") || key.endsWith("Path") || key === "Variable")) return value;
    return value
      .replace(/\$\$\.Execution\b/g, "$$$$.EmbarkExecution")
      .replace(/\$\$\.State\b/g, `$$$$.EmbarkState.s${index}`);
  }
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(key, item, index));
  if (value && typeof value === "object") {
    const obj = value as Json;
    for (const [k, v] of Object.entries(obj)) obj[k] = rewriteRefs(k, v, index);
    return obj;
  }
  return value;
}
