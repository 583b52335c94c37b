// Where an execution that was RUNNING when the process ended picks up again, worked out from its persisted
// history (AWS resumes a Standard execution after a worker failure; it never loses or restarts it).
//
// The resume point is the top-level state in flight (rec.resume: the last top-level state entered, with its
// input). States completed before it are not run again: their outputs are already in that input. The state in
// flight is run again, as AWS re-runs a Task after a worker failure, keeping what the history says about it:
// - a Task keeps its retry attempts (per retrier, so MaxAttempts and the backoff continue) and $$.State.RetryCount;
//   a `.waitForTaskToken` Task whose token was issued keeps it, with its timeout and heartbeat deadlines, and its
//   resource is not called again once TaskSubmitted is recorded;
// - a Wait continues to its original deadline;
// - a top-level Parallel keeps its finished branches (their output comes from the history) and restarts each
//   unfinished branch at its state in flight, the same way. A Map (and a Parallel with a Parallel or Map inside
//   it) is run again whole.
// The state in flight keeps its StateEntered event: the restarted run does not write it again (`entered`).
import type { StateInfo } from "./definition.js";
import { detailsKeyOf } from "./history.js";
import { readPath } from "./json-path.js";
import type { ExecutionRecord, HistoryEventRecord, OpenTask } from "./model.js";

type Json = Record<string, unknown>;

export interface TaskResume {
  /** Retries already made, per retrier of the state's Retry. */
  retriesUsed: number[];
  /** $$.State.RetryCount for the re-run attempt. */
  retryCount: number;
  /** A `.waitForTaskToken` attempt whose token was issued: wait for it rather than start a new attempt. */
  open?: OpenTask;
}

export type BranchStart =
  | { kind: "start" }
  | { kind: "done"; output: unknown }
  | { kind: "at"; state: string; input: unknown };

export interface ResumePlan {
  /** The top-level state to start the run at, with its input; none: nothing was entered yet (run from StartAt). */
  from?: { state: string; input: unknown };
  /** States in flight whose StateEntered is in the history already. */
  entered: Set<string>;
  tasks: Map<string, TaskResume>;
  /** Wait states in flight → their deadline (epoch ms). */
  waits: Map<string, number>;
  /** For a resumed top-level Parallel: where each branch restarts. */
  branches?: { parallel: string; starts: BranchStart[] };
  /** The state machine's TimeoutSeconds deadline (epoch ms), if it has one. */
  executionDeadline?: number;
}

const TASK_FAILURES = /^(Task|LambdaFunction)(Failed|TimedOut)$/;

export function planResume(rec: ExecutionRecord, states: Map<string, StateInfo>): ResumePlan {
  const definition = JSON.parse(rec.definition) as Json;
  const plan: ResumePlan = { entered: new Set(), tasks: new Map(), waits: new Map() };
  if (typeof definition.TimeoutSeconds === "number") {
    plan.executionDeadline = (rec.redriveDate ?? rec.startDate) + definition.TimeoutSeconds * 1000;
  }
  const top = rec.resume;
  if (!top) return plan;
  const history = rec.history;
  const enteredAt = lastIndex(history, (e) => e.type.endsWith("StateEntered") && nameOf(e) === top.state);
  const info = states.get(top.state);
  plan.from = top;
  if (enteredAt < 0 || !info) return plan;
  if (info.type === "Map") return plan; // run again whole, its entry included
  plan.entered.add(top.state);
  planState(plan, rec, info, enteredAt);
  if (info.type === "Parallel") planBranches(plan, rec, info, states, enteredAt);
  return plan;
}

/** Task retries / kept token, Wait deadline, for one state in flight entered at history[enteredAt]. */
function planState(plan: ResumePlan, rec: ExecutionRecord, info: StateInfo, enteredAt: number): void {
  const entered = rec.history[enteredAt]!;
  if (info.type === "Task") {
    const retry = (info.original.Retry as Json[] | undefined) ?? [];
    const used = retry.map(() => 0);
    for (const event of chainOf(rec.history, enteredAt)) {
      if (!TASK_FAILURES.test(event.type)) continue;
      const error = String((event[detailsKeyOf(event.type)] as Json | undefined)?.error ?? "");
      const i = retrierFor(retry, error);
      if (i >= 0) used[i] = (used[i] ?? 0) + 1;
    }
    const open = info.scope.includes("#map") ? undefined : rec.openTasks?.[info.name];
    plan.tasks.set(info.name, {
      retriesUsed: used,
      retryCount: used.reduce((a, b) => a + b, 0),
      open: open?.token ? open : undefined,
    });
  }
  if (info.type === "Wait") {
    const deadline = waitDeadline(info.original, entered);
    if (deadline !== undefined) plan.waits.set(info.name, deadline);
  }
}

function planBranches(
  plan: ResumePlan,
  rec: ExecutionRecord,
  parallel: StateInfo,
  states: Map<string, StateInfo>,
  enteredAt: number,
): void {
  const branchCount = ((parallel.original.Branches as unknown[] | undefined) ?? []).length;
  const starts: BranchStart[] = Array.from({ length: branchCount }, () => ({ kind: "start" }));
  plan.branches = { parallel: parallel.name, starts };
  const inside = [...states.values()].filter((s) => s.scope.startsWith(`${parallel.name}#`));
  // A composite inside a branch has events this plan cannot place: run every branch again.
  if (inside.some((s) => s.type === "Parallel" || s.type === "Map")) return;
  const history = rec.history;
  const startedAt = lastIndex(history, (e, i) => i > enteredAt && e.type === "ParallelStateStarted");
  if (startedAt < 0) return;
  // The last attempt failed and a retry was pending: the retry runs every branch.
  if (history.slice(startedAt).some((e) => e.type === "ParallelStateFailed")) return;
  for (let branch = 0; branch < branchCount; branch++) {
    const lane = `${parallel.name}#${branch}`;
    const at = lastIndex(history, (e, i) => {
      if (i <= startedAt) return false;
      if (!e.type.endsWith("StateEntered") && !e.type.endsWith("StateExited")) return false;
      return states.get(nameOf(e) ?? "")?.scope === lane;
    });
    if (at < 0) continue;
    const event = history[at]!;
    const info = states.get(nameOf(event)!)!;
    const details = event[detailsKeyOf(event.type)] as Json;
    if (event.type.endsWith("StateEntered")) {
      starts[branch] = { kind: "at", state: info.name, input: parseJson(details.input) };
      plan.entered.add(info.name);
      planState(plan, rec, info, at);
    } else if (info.original.End === true || info.type === "Succeed") {
      starts[branch] = { kind: "done", output: parseJson(details.output) };
    }
    // Exited a state that is not the branch's last, without the next one entered: run the branch again.
  }
}

/** The index of the retrier that handles `error` (as the library matches them), or -1. */
export function retrierFor(retry: Json[], error: string): number {
  return retry.findIndex((retrier) =>
    ((retrier.ErrorEquals as string[] | undefined) ?? []).some(
      (e) => e === error || e === "States.ALL" || (e === "States.TaskFailed" && error !== "States.Timeout"),
    ),
  );
}

/** A Wait's deadline from when it was entered; undefined when it waits for a timestamp (already absolute). */
function waitDeadline(state: Json, entered: HistoryEventRecord): number | undefined {
  let seconds: unknown = state.Seconds;
  if (typeof state.SecondsPath === "string") {
    const raw = parseJson((entered[detailsKeyOf(entered.type)] as Json | undefined)?.input);
    const input = typeof state.InputPath === "string" ? readPath(state.InputPath, raw) : raw;
    seconds = readPath(state.SecondsPath, input);
  }
  return typeof seconds === "number" ? entered.timestamp + seconds * 1000 : undefined;
}

/**
 * The events of one state's entry: those that follow history[from] through previousEventId (a state's Task
 * events, retries and exit chain to its StateEntered; other lanes' events do not).
 */
function chainOf(history: HistoryEventRecord[], from: number): HistoryEventRecord[] {
  const ids = new Set([history[from]!.id]);
  const out: HistoryEventRecord[] = [];
  for (const event of history.slice(from + 1)) {
    if (!ids.has(event.previousEventId) || event.type.endsWith("StateEntered")) continue;
    ids.add(event.id);
    out.push(event);
  }
  return out;
}

function nameOf(event: HistoryEventRecord): string | undefined {
  const details = event[detailsKeyOf(event.type)] as Json | undefined;
  return typeof details?.name === "string" ? details.name : undefined;
}

function lastIndex(
  history: HistoryEventRecord[],
  test: (e: HistoryEventRecord, i: number) => boolean,
): number {
  for (let i = history.length - 1; i >= 0; i--) if (test(history[i]!, i)) return i;
  return -1;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
