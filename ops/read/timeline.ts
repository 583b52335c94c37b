/**
 * THE execution timeline of the operator tools (the console draws it, the CLI's `executions history` lists it):
 * a GetExecutionHistory event list turned into one entry per state visit (entered → exited, or failed) with its
 * duration, its task attempts (a retry is a second Scheduled after a Failed in the same visit, as in AWS's
 * history), input and output; plus the execution's own milestones (started, redriven, succeeded, failed).
 * Events are tied to a state visit through `previousEventId`, the causal link AWS writes, so parallel branches
 * stay apart. Event ids are kept so a reader can put entries of different visits back in history order. Pure:
 * it works on the SDK's HistoryEvent shape.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";

export interface Attempt {
  startedAt: Date;
  /** The Scheduled event (or the ending event, for an attempt that has none). */
  startEventId: number;
  endedAt?: Date;
  endEventId?: number;
  outcome: "running" | "succeeded" | "failed" | "timed out";
  error?: string;
  cause?: string;
}

export interface StateVisit {
  kind: "state";
  firstEventId: number;
  name: string;
  /** "Task", "Parallel", "Choice", … (from the event type). */
  stateType: string;
  /** Nesting: states inside a Parallel branch or Map iteration are one deeper than it. */
  depth: number;
  enteredAt: Date;
  exitedAt?: Date;
  /** The Exited event, or the event at which a visit without one was closed. */
  endEventId?: number;
  /** Exited: entered → exited; failed: entered → the failure; still running: undefined. */
  durationMs?: number;
  status: "running" | "succeeded" | "failed";
  attempts: Attempt[];
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface Milestone {
  kind: "execution";
  firstEventId: number;
  type: string;
  at: Date;
  /** Execution input (started), output (succeeded) or error/cause (failed, aborted, timed out). */
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** ExecutionRedriven: how many redrives so far. */
  redriveCount?: number;
}

export type TimelineItem = StateVisit | Milestone;

const MILESTONES = new Set([
  "ExecutionStarted",
  "ExecutionRedriven",
  "ExecutionSucceeded",
  "ExecutionFailed",
  "ExecutionAborted",
  "ExecutionTimedOut",
]);
const COMPOSITE = new Set(["Parallel", "Map"]);

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

const time = (event: HistoryEvent) => new Date(event.timestamp ?? 0);

export function buildTimeline(events: readonly HistoryEvent[], executionStatus?: string): TimelineItem[] {
  const items: TimelineItem[] = [];
  const visitOf = new Map<number, StateVisit>();
  const open: StateVisit[] = [];
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));

  for (const event of sorted) {
    const id = event.id ?? 0;
    const type = event.type ?? "";
    const d = detailsOf(event);
    const previous = event.previousEventId !== undefined ? visitOf.get(event.previousEventId) : undefined;

    if (MILESTONES.has(type)) {
      items.push({
        kind: "execution",
        firstEventId: id,
        type,
        at: time(event),
        ...(type === "ExecutionStarted" || type === "ExecutionRedriven" ? { input: d.input } : {}),
        ...(type === "ExecutionSucceeded" ? { output: d.output } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.cause !== undefined ? { cause: d.cause } : {}),
        ...(d.redriveCount !== undefined ? { redriveCount: d.redriveCount } : {}),
      });
      if (type !== "ExecutionStarted" && type !== "ExecutionRedriven") {
        // The execution ended: whatever is still open did not finish.
        for (const v of open.splice(0)) if (v.status === "running") close(v, event, "failed");
      }
      continue;
    }

    if (type.endsWith("StateEntered")) {
      const stateType = type.slice(0, -"StateEntered".length);
      const parentOpen = previous && previous.status === "running" && COMPOSITE.has(previous.stateType);
      const visit: StateVisit = {
        kind: "state",
        firstEventId: id,
        name: d.name ?? "?",
        stateType,
        depth: previous ? previous.depth + (parentOpen ? 1 : 0) : 0,
        enteredAt: time(event),
        status: "running",
        attempts: [],
        ...(d.input !== undefined ? { input: d.input } : {}),
      };
      items.push(visit);
      open.push(visit);
      visitOf.set(id, visit);
      continue;
    }

    // Everything else belongs to a state visit: by the causal link, else the latest open visit of that name
    // (Exited events carry the name), else the latest open visit.
    const named = d.name !== undefined ? open.findLast((v) => v.name === d.name) : undefined;
    const visit =
      previous && (d.name === undefined || previous.name === d.name) ? previous : (named ?? open.at(-1));
    if (!visit) continue;
    visitOf.set(id, visit);

    if (type.endsWith("StateExited")) {
      if (d.output !== undefined) visit.output = d.output;
      close(visit, event, "succeeded");
      open.splice(open.indexOf(visit), 1);
    } else if (type.endsWith("StateFailed")) {
      visit.error ??= d.error;
      visit.cause ??= d.cause;
    } else if (type.endsWith("Scheduled")) {
      visit.attempts.push({ startedAt: time(event), startEventId: id, outcome: "running" });
    } else if (
      type.endsWith("Succeeded") &&
      !type.endsWith("StateSucceeded") &&
      !type.startsWith("MapIteration")
    ) {
      endAttempt(visit, event, "succeeded");
    } else if ((type.endsWith("Failed") || type.endsWith("TimedOut")) && !type.startsWith("MapIteration")) {
      endAttempt(visit, event, type.endsWith("TimedOut") ? "timed out" : "failed", d);
      visit.error = d.error;
      visit.cause = d.cause;
    }
  }

  // A visit still open when the history ends: running if the execution is, otherwise it failed there.
  const last = sorted.at(-1);
  for (const v of open) {
    if (executionStatus && executionStatus !== "RUNNING" && last) close(v, last, "failed");
  }
  return items;
}

function close(visit: StateVisit, event: HistoryEvent, status: "succeeded" | "failed"): void {
  let at = time(event);
  visit.status = status;
  visit.endEventId = event.id ?? 0;
  if (status === "succeeded") visit.exitedAt = at;
  else {
    // Without an Exited event the visit ended at its last failure.
    const failedAt = visit.attempts.findLast((a) => a.endedAt)?.endedAt;
    at = failedAt && failedAt > visit.enteredAt ? failedAt : at;
  }
  visit.durationMs = Math.max(0, at.getTime() - visit.enteredAt.getTime());
  if (status === "succeeded") {
    visit.error = undefined;
    visit.cause = undefined;
  }
  for (const a of visit.attempts)
    if (a.outcome === "running") a.outcome = status === "succeeded" ? "succeeded" : "failed";
}

function endAttempt(
  visit: StateVisit,
  event: HistoryEvent,
  outcome: Attempt["outcome"],
  d: Details = {},
): void {
  const at = time(event);
  let target = visit.attempts.findLast((a) => a.outcome === "running");
  if (!target) {
    // An end without a Scheduled event (a history that starts mid-way, a failure to schedule): count it as one
    // attempt, begun when the visit or its previous attempt ended.
    const startedAt = visit.attempts.at(-1)?.endedAt ?? visit.enteredAt;
    target = { startedAt, startEventId: event.id ?? 0, outcome: "running" };
    visit.attempts.push(target);
  }
  target.endedAt = at;
  target.endEventId = event.id ?? 0;
  target.outcome = outcome;
  if (d.error !== undefined) target.error = d.error;
  if (d.cause !== undefined) target.cause = d.cause;
}
