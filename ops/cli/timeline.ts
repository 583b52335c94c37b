/**
 * The rows of `executions history`: the shared timeline (ops/read/timeline.ts) unrolled into what an operator
 * reads in a terminal, in history order: execution started, each state entered/exited (with its duration), each
 * failed attempt, each retry (with the backoff it waited) and how the execution ended. Pure: no AWS calls.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { buildTimeline as buildVisits, type Milestone, type StateVisit } from "../read/timeline.js";
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
  /** The id of the history event the row stands for. */
  id: number;
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

type Row = Omit<TimelineEntry, "at" | "offsetMs"> & { when: Date };

const MILESTONE_KINDS: Record<string, TimelineKind> = {
  ExecutionStarted: "started",
  ExecutionRedriven: "redriven",
  ExecutionSucceeded: "succeeded",
  ExecutionFailed: "failed",
  ExecutionAborted: "aborted",
  ExecutionTimedOut: "timed out",
};

export function buildTimeline(
  events: readonly HistoryEvent[],
  opts: { data?: boolean } = {},
): TimelineEntry[] {
  const items = buildVisits(events);
  const data = (text: string | undefined) =>
    opts.data && text !== undefined ? redact(parseJson(text)) : undefined;
  const first = items.find((i) => i.kind === "execution" && i.type === "ExecutionStarted") ?? items[0];
  const t0 = first ? (first.kind === "execution" ? first.at : first.enteredAt).getTime() : 0;

  const rows = items.flatMap((item) =>
    item.kind === "execution" ? [milestoneRow(item, t0, data)] : visitRows(item, data),
  );
  // Rows of parallel branches interleave as their events did (a stable sort keeps each visit's own order).
  return rows
    .sort((a, b) => a.id - b.id)
    .map(({ id, when, ...row }) =>
      dropUndefined({ id, at: when.toISOString(), offsetMs: when.getTime() - t0, ...row }),
    );
}

function milestoneRow(m: Milestone, t0: number, data: (text?: string) => unknown): Row {
  const kind = MILESTONE_KINDS[m.type] ?? "failed";
  if (kind === "started") return { id: m.firstEventId, kind, when: m.at, input: data(m.input) };
  if (kind === "redriven") return { id: m.firstEventId, kind, when: m.at, redriveCount: m.redriveCount };
  return {
    id: m.firstEventId,
    kind,
    when: m.at,
    durationMs: m.at.getTime() - t0,
    error: m.error,
    cause: m.cause,
    output: data(m.output),
  };
}

function visitRows(v: StateVisit, data: (text?: string) => unknown): Row[] {
  const state = v.name;
  const rows: Row[] = [
    { id: v.firstEventId, kind: "entered", state, when: v.enteredAt, input: data(v.input) },
  ];
  let failedAttempt = false;
  v.attempts.forEach((a, i) => {
    const previous = v.attempts[i - 1];
    if (previous) {
      const waited = previous.endedAt ? a.startedAt.getTime() - previous.endedAt.getTime() : undefined;
      rows.push({
        id: a.startEventId,
        kind: "retried",
        state,
        when: a.startedAt,
        attempt: i + 1,
        durationMs: waited,
      });
    }
    // An attempt the execution's end cut short has no end of its own: the end row says how it stopped.
    if ((a.outcome === "failed" || a.outcome === "timed out") && a.endedAt) {
      failedAttempt = true;
      rows.push({
        id: a.endEventId ?? a.startEventId,
        kind: "failed",
        state,
        when: a.endedAt,
        durationMs: a.endedAt.getTime() - a.startedAt.getTime(),
        error: a.error,
        cause: a.cause,
      });
    }
  });
  if (v.exitedAt) {
    rows.push({
      id: v.endEventId ?? v.firstEventId,
      kind: "exited",
      state,
      when: v.exitedAt,
      durationMs: v.durationMs,
      output: data(v.output),
    });
  } else if (v.status === "failed" && !failedAttempt && (v.error || v.cause)) {
    // A state that failed without a task attempt of its own (a Parallel whose branch failed, a Map).
    const durationMs = v.durationMs ?? 0;
    rows.push({
      id: v.endEventId ?? v.firstEventId,
      kind: "failed",
      state,
      when: new Date(v.enteredAt.getTime() + durationMs),
      durationMs,
      error: v.error,
      cause: v.cause,
    });
  }
  return rows;
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
