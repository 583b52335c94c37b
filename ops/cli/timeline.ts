/**
 * Turns a GetExecutionHistory event list into the timeline an operator reads: execution started, each state
 * entered/exited (with its duration), each failed attempt, each retry (with the backoff it waited) and how the
 * execution ended. Pure: no AWS calls.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { parseJson, redact } from "./format.js";

export type TimelineKind =
  | "started"
  | "entered"
  | "exited"
  | "failed"
  | "retried"
  | "succeeded"
  | "aborted"
  | "timed out"
  | "redriven";

export interface TimelineEntry {
  /** The history event's id. */
  id: number;
  /** The AWS event type it came from (e.g. TaskFailed). */
  type: string;
  kind: TimelineKind;
  at: string;
  /** Milliseconds since the execution started. */
  offsetMs: number;
  state?: string;
  /** entered→exited for `exited`, the attempt for `failed`, the backoff for `retried`, the run for the end. */
  durationMs?: number;
  /** Attempt number, for `retried` (2 = the first retry). */
  attempt?: number;
  error?: string;
  cause?: string;
  /** Only when the history was read with execution data; secrets redacted. */
  input?: unknown;
  output?: unknown;
  /** Redrive count, for `redriven`. */
  redriveCount?: number;
}

type Details = {
  name?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount?: number;
};

function detailsOf(event: HistoryEvent): Details {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("EventDetails") && value && typeof value === "object") return value as Details;
  }
  return {};
}

const ms = (event: HistoryEvent) => new Date(event.timestamp ?? 0).getTime();
const isEntered = (t: string) => t.endsWith("StateEntered");
const isExited = (t: string) => t.endsWith("StateExited");
/** The scheduling of one attempt of a Task (Lambda, activity or service integration). */
const isAttemptStart = (t: string) =>
  t === "TaskScheduled" || t === "LambdaFunctionScheduled" || t === "ActivityScheduled";
const isAttemptFailure = (t: string) =>
  !t.startsWith("Execution") &&
  (t.endsWith("Failed") ||
    t.endsWith("TimedOut") ||
    t === "LambdaFunctionStartFailed" ||
    t === "TaskStartFailed");

const END_KINDS: Record<string, TimelineKind> = {
  ExecutionSucceeded: "succeeded",
  ExecutionFailed: "failed",
  ExecutionAborted: "aborted",
  ExecutionTimedOut: "timed out",
};

interface StateRun {
  enteredAt: number;
  attempts: number;
  attemptStartedAt?: number;
  lastFailureAt?: number;
}

export function buildTimeline(
  events: readonly HistoryEvent[],
  opts: { data?: boolean } = {},
): TimelineEntry[] {
  const byId = new Map(events.map((e) => [e.id ?? 0, e]));
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const start = sorted.find((e) => e.type === "ExecutionStarted") ?? sorted[0];
  const t0 = start ? ms(start) : 0;
  const runs = new Map<string, StateRun>();
  const out: TimelineEntry[] = [];
  const data = (text: string | undefined) =>
    opts.data && text !== undefined ? redact(parseJson(text)) : undefined;

  // The state an event belongs to: follow previousEventId back to the StateEntered that caused it.
  const stateOf = (event: HistoryEvent): string | undefined => {
    let cur: HistoryEvent | undefined = event;
    for (let hops = 0; cur && hops < 10_000; hops++) {
      if (isEntered(cur.type ?? "")) return detailsOf(cur).name;
      cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    }
    return undefined;
  };

  for (const event of sorted) {
    const type = event.type ?? "";
    const d = detailsOf(event);
    const at = ms(event);
    const base = { id: event.id ?? 0, type, at: new Date(at).toISOString(), offsetMs: at - t0 };
    const push = (entry: Omit<TimelineEntry, "id" | "type" | "at" | "offsetMs">) =>
      out.push(dropUndefined({ ...base, ...entry }));

    if (type === "ExecutionStarted") {
      push({ kind: "started", input: data(d.input) });
    } else if (type === "ExecutionRedriven") {
      push({ kind: "redriven", redriveCount: d.redriveCount });
    } else if (END_KINDS[type]) {
      push({
        kind: END_KINDS[type],
        durationMs: at - t0,
        error: d.error,
        cause: d.cause,
        output: data(d.output),
      });
    } else if (isEntered(type) && d.name) {
      runs.set(d.name, { enteredAt: at, attempts: 0 });
      push({ kind: "entered", state: d.name, input: data(d.input) });
    } else if (isExited(type) && d.name) {
      const run = runs.get(d.name);
      push({
        kind: "exited",
        state: d.name,
        durationMs: run ? at - run.enteredAt : undefined,
        output: data(d.output),
      });
    } else if (isAttemptStart(type)) {
      const state = stateOf(event);
      const run = state ? runs.get(state) : undefined;
      if (!run) continue;
      run.attempts += 1;
      run.attemptStartedAt = at;
      if (run.attempts > 1) {
        const waited = run.lastFailureAt !== undefined ? at - run.lastFailureAt : undefined;
        push({ kind: "retried", state, attempt: run.attempts, durationMs: waited });
      }
    } else if (isAttemptFailure(type)) {
      const state = stateOf(event);
      const run = state ? runs.get(state) : undefined;
      if (run) run.lastFailureAt = at;
      const since = run?.attemptStartedAt ?? run?.enteredAt;
      push({
        kind: "failed",
        state,
        durationMs: since !== undefined ? at - since : undefined,
        error: d.error,
        cause: d.cause,
      });
    }
  }
  return out;
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
