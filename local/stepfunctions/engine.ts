// Runs executions with aws-local-stepfunctions and turns what happens into AWS-shaped history.
//
// Every Task state (at any depth: Parallel branches and Map iterators included, since AWS state names are
// unique across a machine) gets a taskResourceLocalHandlers entry that runs the resource through
// Integrations and writes the Task*/LambdaFunction* events. State and execution events come from the
// library's event log, which is consumed synchronously: each handler first yields one macrotask
// (setImmediate) so that the StateEntered/StateRetried events queued before it are in the history first.
//
// A run ends when the library reports ExecutionSucceeded/Failed/Timeout, or when StopExecution aborts it, or
// when the service stops (suspend: nothing is recorded, and the next start resumes it: resume.ts). Before a
// Task's resource is called, its TaskScheduled event and token are on disk (opts.persist), so a restart knows
// what was in flight. A run that is no longer current is ignored from then on: its late events are
// dropped and its pending handlers fail with a terminal (neither retried nor caught) error, so the library
// stops at once and clears its timers.
import { StateMachine } from "aws-local-stepfunctions";
import { contextObject, newPlaceholders, resolvePlaceholders } from "./context-object.js";
import { type PreparedDefinition, prepareDefinition, type StateInfo } from "./definition.js";
import { appendEvent, json, lastEventId, NOT_TRUNCATED } from "./history.js";
import { type Integrations, parseResource, type TaskResource } from "./integrations.js";
import { readPath } from "./json-path.js";
import type { ExecutionRecord, ExecutionStatus, OpenTask } from "./model.js";
import type { ResumePlan } from "./resume.js";
import { executionFileId } from "./store.js";
import { TaskFailure } from "./task-failure.js";
import type { TaskTokens } from "./task-tokens.js";

type LibraryRun = ReturnType<StateMachine["run"]>;
type LibraryEvent = LibraryRun["eventLogs"] extends AsyncGenerator<infer E> ? E : never;
type Json = Record<string, unknown>;

interface ActiveTask {
  name: string;
  resource: TaskResource;
  finished: boolean;
  /** Rejects the handler when its run ends under it (so the library settles and clears its timers). */
  cancel: (failure: TaskFailure) => void;
  token?: string;
  heartbeatSeconds?: number;
  timeoutTimer?: NodeJS.Timeout;
  heartbeatTimer?: NodeJS.Timeout;
}

interface Run {
  rec: ExecutionRecord;
  prepared: PreparedDefinition;
  abort: () => void;
  tasks: Set<ActiveTask>;
  /** Retries of each state since it was last entered ($$.State.RetryCount). */
  retryCounts: Map<string, number>;
  /** For previousEventId: the last event of each state, of each lane (branch/iteration), and what opened a lane. */
  lastOfState: Map<string, number>;
  laneLast: Map<string, number>;
  laneStart: Map<string, number>;
  /** Parallel/Map states whose last attempt failed (so their exit after a Catch is not a success). */
  failedComposite: Set<string>;
  lastFailure?: { error?: string; cause?: string; eventId?: number };
  /** Resumed runs: states whose StateEntered is in the history already (their first entry is not written). */
  entered: Set<string>;
  /** Resumed runs: Task states whose retries continue from the history, until they are entered anew. */
  credits: Set<string>;
  /** Resumed runs: `.waitForTaskToken` attempts that keep their token, and their pre-registered waits. */
  kept: Map<string, { open: OpenTask; callback: Promise<unknown> }>;
  /** A kept attempt's remaining TimeoutSeconds, read once by the library when it arms its own timer. */
  timeoutOverride: Map<string, number>;
}

export interface EngineOptions {
  retryIntervalScale: number;
  integrations: Integrations;
  tokens: TaskTokens;
  /** The record changed: persist it. */
  changed(rec: ExecutionRecord): void;
  /** The execution's status changed: emit the status-change event. */
  statusChanged(rec: ExecutionRecord): void;
  /** Resolves when every change so far is on disk. */
  persist(): Promise<void>;
}

/** Prefix of the states a resumed run adds to its copy of the definition; their events are not recorded. */
const SYNTHETIC = "__embark_resume_";

const never = () => new Promise<never>(() => undefined);
/** What a handler throws once its run is over: neither retried nor caught, so the library stops at once. */
const runEnded = () =>
  new TaskFailure("States.Runtime", "The execution is no longer running", { terminal: true });

export class ExecutionEngine {
  private readonly runs = new Map<string, Run>();
  private readonly placeholders = newPlaceholders();

  constructor(private readonly opts: EngineOptions) {}

  runningRecords(): ExecutionRecord[] {
    return [...this.runs.values()].map((run) => run.rec);
  }

  /**
   * Starts (or, with `from`, resumes at a top-level state) a run of `rec`, which is RUNNING and whose
   * ExecutionStarted/ExecutionRedriven event is already in its history.
   */
  start(rec: ExecutionRecord, from?: { state: string; input: unknown }, plan?: ResumePlan): void {
    const prepared = prepareDefinition(JSON.parse(rec.definition), {
      retryIntervalScale: this.opts.retryIntervalScale,
      startAt: from?.state,
    });
    const run: Run = {
      rec,
      prepared,
      abort: () => undefined,
      tasks: new Set(),
      retryCounts: new Map(),
      lastOfState: new Map(),
      laneLast: new Map([["", lastEventId(rec)]]),
      laneStart: new Map(),
      failedComposite: new Set(),
      entered: new Set(plan?.entered),
      credits: new Set(),
      kept: new Map(),
      timeoutOverride: new Map(),
    };
    this.runs.set(rec.executionArn, run);
    const waitTimeOverrides = plan ? this.applyPlan(run, plan) : {};

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const info of prepared.states.values()) {
      if (info.type === "Task") handlers[info.name] = (input) => this.runTask(run, info, input);
    }
    const machine = new StateMachine(prepared.definition as never, {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run((from ? from.input : JSON.parse(rec.input)) as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides },
      context: contextObject(rec, prepared, run.retryCounts, this.placeholders),
      noThrowOnAbort: true,
    });
    run.abort = execution.abort;
    const outcome = execution.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    void this.follow(run, execution.eventLogs, outcome);
  }

  /**
   * Continues an execution that was RUNNING when the process ended, as `plan` (from its history) says: at its
   * top-level state in flight, which is run again with its retries, token, deadlines and finished branches kept.
   */
  resume(rec: ExecutionRecord, plan: ResumePlan): void {
    this.start(rec, plan.from, plan);
  }

  /** The service stops: runs end without a trace in their records, so the next start resumes them. */
  suspendAll(): void {
    for (const run of [...this.runs.values()]) {
      this.endRun(run, { keepOpen: true });
      run.abort();
    }
  }

  /** StopExecution / DeleteStateMachine: ABORTED, with an ExecutionAborted event. */
  abort(rec: ExecutionRecord, reason: { error?: string; cause?: string }): void {
    const run = this.runs.get(rec.executionArn);
    if (run) {
      this.endRun(run);
      run.abort();
    }
    rec.status = "ABORTED";
    rec.stopDate = Date.now();
    rec.output = undefined;
    rec.error = reason.error;
    rec.cause = reason.cause;
    appendEvent(rec, "ExecutionAborted", { error: reason.error, cause: reason.cause });
    this.opts.changed(rec);
    this.opts.statusChanged(rec);
  }

  private isCurrent(run: Run): boolean {
    return this.runs.get(run.rec.executionArn) === run;
  }

  private endRun(run: Run, opts: { keepOpen?: boolean } = {}): void {
    if (this.isCurrent(run)) this.runs.delete(run.rec.executionArn);
    for (const task of run.tasks) {
      this.closeTask(run, task, opts);
      task.cancel(runEnded());
    }
    for (const [name, kept] of run.kept) {
      if (!opts.keepOpen) delete run.rec.openTasks?.[name];
      if (kept.open.token) this.opts.tokens.close(kept.open.token);
    }
    run.kept.clear();
  }

  /** Sets up a resumed run's copy of the definition; returns the library's waitTimeOverrides for it. */
  private applyPlan(run: Run, plan: ResumePlan): Record<string, number> {
    const definition = run.prepared.definition;
    if (plan.executionDeadline !== undefined) {
      definition.TimeoutSeconds = Math.max(0.001, (plan.executionDeadline - Date.now()) / 1000);
    }
    for (const [name, task] of plan.tasks) {
      const state = findState(definition, name);
      if (!state) continue;
      run.retryCounts.set(name, task.retryCount);
      if (task.retriesUsed.some((n) => n > 0)) {
        run.credits.add(name);
        continueRetries(state, task.retriesUsed, () => run.credits.has(name));
      }
      const open = task.open;
      if (open?.token) {
        // Registered now, so a callback that arrives before the run reaches the Task is not refused.
        const callback = this.opts.tokens.wait(open.token, run.rec.executionArn, () =>
          this.heartbeat(run, name),
        );
        callback.catch(() => undefined);
        run.kept.set(name, { open, callback });
        const fallback = state.TimeoutSeconds;
        Object.defineProperty(state, "TimeoutSeconds", {
          enumerable: true,
          configurable: true,
          get: () => {
            const remaining = run.timeoutOverride.get(name);
            run.timeoutOverride.delete(name);
            return remaining ?? fallback;
          },
        });
      }
    }
    if (plan.branches) {
      const parallel = findState(definition, plan.branches.parallel);
      const branches = (parallel?.Branches as Json[] | undefined) ?? [];
      plan.branches.starts.forEach((start, i) => {
        const branch = branches[i];
        if (!branch || start.kind === "start") return;
        const name = `${SYNTHETIC}${i}`;
        const value = start.kind === "done" ? start.output : start.input;
        const tail = start.kind === "done" ? { End: true } : { Next: start.state };
        // A Pass with the recorded value (falsy values as Parameters: the library ignores a falsy Result).
        (branch.States as Json)[name] = value
          ? { Type: "Pass", Result: structuredClone(value), ...tail }
          : { Type: "Pass", Parameters: value, ...tail };
        // Only this attempt of the Parallel starts there; a retry of it runs every branch from the start.
        const startAt = branch.StartAt;
        let used = false;
        Object.defineProperty(branch, "StartAt", {
          enumerable: true,
          configurable: true,
          get: () => {
            if (used) return startAt;
            used = true;
            return name;
          },
        });
      });
    }
    const waits: Record<string, number> = {};
    for (const [name, deadline] of plan.waits) {
      let used = false;
      Object.defineProperty(waits, name, {
        enumerable: true,
        get: () => {
          if (used) return undefined;
          used = true;
          return Math.max(0, deadline - Date.now());
        },
      });
    }
    return waits;
  }

  /** SendTaskHeartbeat for a task of `run`: the deadline moves (and is kept for a restart). */
  private heartbeat(run: Run, name: string): void {
    const open = run.rec.openTasks?.[name];
    if (open) {
      open.lastHeartbeatAt = Date.now();
      this.opts.changed(run.rec);
    }
    for (const task of run.tasks) {
      if (task.name === name) this.armHeartbeat(run, task, task.heartbeatSeconds);
    }
  }

  private async follow(
    run: Run,
    logs: AsyncGenerator<LibraryEvent>,
    outcome: Promise<{ ok: true; output: unknown } | { ok: false; error: unknown }>,
  ): Promise<void> {
    try {
      for await (const event of logs) {
        if (!this.isCurrent(run)) break;
        this.onLibraryEvent(run, event);
      }
    } catch (err) {
      console.error("[stepfunctions] event log failed:", err);
    }
    if (!this.isCurrent(run)) return;
    // The log ended without a final event (should not happen): settle from the result.
    const result = await outcome;
    if (!this.isCurrent(run)) return;
    if (result.ok) this.finish(run, "SUCCEEDED", { output: json(result.output) });
    else
      this.finish(run, "FAILED", {
        error: "States.Runtime",
        cause: String((result.error as Error)?.message ?? result.error),
      });
  }

  private onLibraryEvent(run: Run, event: LibraryEvent): void {
    const rec = run.rec;
    const stateName = (event as { state?: { name?: string } }).state?.name;
    if (stateName?.startsWith(SYNTHETIC)) return;
    switch (event.type) {
      case "StateEntered": {
        const { name, type, input } = event.state;
        const lane = this.laneOf(run, name, event.index);
        if (run.entered.delete(name)) {
          // Resumed: this entry is in the history already; carry on from its last event.
          const last = lastEventId(rec);
          run.lastOfState.set(name, last);
          run.laneLast.set(lane, last);
          if (type === "Parallel") {
            const branches =
              (run.prepared.states.get(name)?.original.Branches as unknown[] | undefined) ?? [];
            branches.forEach((_, i) => {
              run.laneStart.set(`${name}#${i}`, last);
              run.laneLast.delete(`${name}#${i}`);
            });
          }
          return;
        }
        run.credits.delete(name);
        const previous = run.laneLast.get(lane) ?? run.laneStart.get(lane) ?? lastEventId(rec);
        const id = appendEvent(
          rec,
          `${type}StateEntered`,
          { name, input: json(input), inputDetails: NOT_TRUNCATED },
          previous,
        );
        run.lastOfState.set(name, id);
        run.retryCounts.set(name, 0);
        run.failedComposite.delete(name);
        // A redrive resumes at the last top-level state entered, with the input it had.
        if (lane === "" && run.prepared.topLevel.has(name)) rec.resume = { state: name, input };
        if (type === "Parallel") this.parallelStarted(run, name);
        if (type === "Map") this.mapStarted(run, name, input);
        break;
      }
      case "StateExited": {
        const { name, type, output } = event.state;
        if ((type === "Parallel" || type === "Map") && !run.failedComposite.has(name)) {
          run.lastOfState.set(name, appendEvent(rec, `${type}StateSucceeded`));
        }
        const id = appendEvent(
          rec,
          `${type}StateExited`,
          { name, output: json(output), outputDetails: NOT_TRUNCATED },
          run.lastOfState.get(name),
        );
        run.lastOfState.set(name, id);
        run.laneLast.set(this.laneOf(run, name, event.index), id);
        break;
      }
      case "StateFailed": {
        const { name, type } = event.state;
        if (type === "Parallel" || type === "Map") {
          run.lastOfState.set(
            name,
            appendEvent(rec, `${type}StateFailed`, undefined, run.lastOfState.get(name)),
          );
          run.failedComposite.add(name);
        }
        if (type === "Task" && event.Error === "States.Timeout") {
          // TimeoutSecondsPath this service could not read: the library timed the task out on its own.
          for (const task of run.tasks) {
            if (task.name === name && !task.finished) this.timeOut(run, task, "States.Timeout");
          }
        }
        const failure = this.failureOf(run, name, type, event.Error, event.Cause);
        run.lastFailure = { ...failure, eventId: run.lastOfState.get(name) };
        break;
      }
      case "StateRetried": {
        const { name, type, input } = event.state;
        run.retryCounts.set(name, (run.retryCounts.get(name) ?? 0) + 1);
        if (type === "Parallel") this.parallelStarted(run, name);
        if (type === "Map") this.mapStarted(run, name, input);
        run.failedComposite.delete(name);
        break;
      }
      case "MapIterationStarted": {
        const { name } = event.parentState;
        const id = appendEvent(
          rec,
          "MapIterationStarted",
          { name, index: event.index },
          run.lastOfState.get(name),
        );
        const lane = `${name}#map[${event.index}]`;
        run.laneStart.set(lane, id);
        run.laneLast.delete(lane);
        break;
      }
      case "MapIterationSucceeded":
      case "MapIterationFailed": {
        const { name } = event.parentState;
        const lane = `${name}#map[${event.index}]`;
        appendEvent(
          rec,
          event.type,
          { name, index: event.index },
          run.laneLast.get(lane) ?? run.laneStart.get(lane),
        );
        break;
      }
      case "ExecutionSucceeded":
        this.finish(run, "SUCCEEDED", { output: json(event.output) });
        return;
      case "ExecutionFailed":
        this.finish(run, "FAILED", run.lastFailure ?? { error: event.Error, cause: causeText(event.Cause) });
        return;
      case "ExecutionTimeout": {
        const seconds = (JSON.parse(rec.definition) as Json).TimeoutSeconds;
        this.finish(run, "TIMED_OUT", {
          error: "States.Timeout",
          cause: `The execution timed out after ${seconds} seconds (state machine TimeoutSeconds)`,
        });
        return;
      }
      default:
        // ExecutionStarted (written by StartExecution/RedriveExecution), ExecutionAborted (written by
        // StopExecution), StateCaught and ParallelBranch*: AWS has no such events.
        return;
    }
    this.opts.changed(rec);
  }

  private finish(
    run: Run,
    status: Exclude<ExecutionStatus, "RUNNING" | "ABORTED">,
    result: { output?: string; error?: string; cause?: string; eventId?: number },
  ): void {
    if (!this.isCurrent(run)) return;
    this.endRun(run);
    const rec = run.rec;
    rec.status = status;
    rec.stopDate = Date.now();
    rec.output = result.output;
    rec.error = result.error;
    rec.cause = result.cause;
    if (status === "SUCCEEDED") {
      appendEvent(
        rec,
        "ExecutionSucceeded",
        { output: result.output, outputDetails: NOT_TRUNCATED },
        run.laneLast.get(""),
      );
    } else {
      appendEvent(
        rec,
        status === "FAILED" ? "ExecutionFailed" : "ExecutionTimedOut",
        { error: result.error, cause: result.cause },
        status === "FAILED" ? result.eventId : undefined,
      );
    }
    this.opts.changed(rec);
    this.opts.statusChanged(rec);
  }

  /** AWS reports a Fail state's Error/Cause as written (none when absent); the library fills in defaults. */
  private failureOf(run: Run, name: string, type: string, error: string, cause: unknown) {
    if (type === "Fail") {
      const state = run.prepared.states.get(name)?.original ?? {};
      return {
        error: state.Error !== undefined || state.ErrorPath !== undefined ? error : undefined,
        cause: state.Cause !== undefined || state.CausePath !== undefined ? causeText(cause) : undefined,
      };
    }
    return { error, cause: causeText(cause) };
  }

  private laneOf(run: Run, name: string, index?: number): string {
    const scope = run.prepared.states.get(name)?.scope ?? "";
    return scope.endsWith("#map") && index !== undefined ? `${scope}[${index}]` : scope;
  }

  private parallelStarted(run: Run, name: string): void {
    const id = appendEvent(run.rec, "ParallelStateStarted", undefined, run.lastOfState.get(name));
    run.lastOfState.set(name, id);
    const branches = (run.prepared.states.get(name)?.original.Branches as unknown[] | undefined) ?? [];
    branches.forEach((_, i) => {
      run.laneStart.set(`${name}#${i}`, id);
      run.laneLast.delete(`${name}#${i}`);
    });
  }

  private mapStarted(run: Run, name: string, input: unknown): void {
    const state = run.prepared.states.get(name)?.original ?? {};
    const effective = typeof state.InputPath === "string" ? readPath(state.InputPath, input) : input;
    const items = typeof state.ItemsPath === "string" ? readPath(state.ItemsPath, effective) : effective;
    const details = Array.isArray(items) ? { length: items.length } : undefined;
    run.lastOfState.set(name, appendEvent(run.rec, "MapStateStarted", details, run.lastOfState.get(name)));
  }

  // ---- Task states ----------------------------------------------------------------------------------------

  private async runTask(run: Run, info: StateInfo, rawInput: unknown): Promise<unknown> {
    if (!this.isCurrent(run)) throw runEnded();
    const def = info.original;
    const resource = parseResource(String(def.Resource));
    let cancel: (failure: TaskFailure) => void = () => undefined;
    const cancelled = new Promise<never>((_, reject) => {
      cancel = reject;
    });
    cancelled.catch(() => undefined); // raced below; may be rejected before that
    const task: ActiveTask = { name: info.name, resource, finished: false, cancel };
    run.tasks.add(task);
    // A resumed `.waitForTaskToken` attempt: same token, deadlines from when it was scheduled.
    const kept = run.kept.get(info.name);
    run.kept.delete(info.name);
    // Armed before the library arms its own TimeoutSeconds timer of the same length, so this one fires first
    // and records TaskTimedOut; the library then fails the state with its own States.Timeout error (which
    // Retry/Catch treat as AWS does: States.TaskFailed does not match it).
    let timeoutSeconds = secondsOf(def.TimeoutSeconds, def.TimeoutSecondsPath, rawInput);
    let timerSeconds = timeoutSeconds;
    if (kept) {
      timeoutSeconds = kept.open.timeoutSeconds;
      if (timeoutSeconds !== undefined) {
        timerSeconds = Math.max(0.001, (kept.open.scheduledAt + timeoutSeconds * 1000 - Date.now()) / 1000);
        run.timeoutOverride.set(info.name, timerSeconds); // read by the library right after this returns
      }
    }
    if (timerSeconds !== undefined) {
      task.timeoutTimer = setTimeout(() => this.timeOut(run, task, "States.Timeout"), timerSeconds * 1000);
    }
    await new Promise((resolve) => setImmediate(resolve));
    run.timeoutOverride.delete(info.name);
    if (!this.isCurrent(run)) throw runEnded();
    // Timed out already: the library's own timer fails the state (settling now would pre-empt it).
    if (task.finished) return never();

    const rec = run.rec;
    if (kept) task.token = kept.open.token;
    else if (resource.waitForTaskToken) {
      task.token = this.opts.tokens.mint(executionFileId(rec.executionArn));
      rec.taskTokens.push(task.token);
    }
    const input = resolvePlaceholders(rawInput, this.placeholders, {
      token: task.token,
      retryCount: run.retryCounts.get(info.name) ?? 0,
    });
    const heartbeatSeconds = kept
      ? kept.open.heartbeatSeconds
      : resource.waitForTaskToken
        ? secondsOf(def.HeartbeatSeconds, def.HeartbeatSecondsPath, rawInput)
        : undefined;
    task.heartbeatSeconds = heartbeatSeconds;
    if (kept) {
      // Its TaskScheduled/TaskStarted (and maybe TaskSubmitted) are in the history already.
      run.lastOfState.set(info.name, lastEventId(rec));
    } else if (resource.kind === "lambda-function") {
      this.taskEvent(run, task, "Scheduled", {
        resource: resource.resource,
        input: json(input),
        inputDetails: NOT_TRUNCATED,
        timeoutInSeconds: timeoutSeconds,
      });
    } else {
      this.taskEvent(run, task, "Scheduled", {
        region: rec.executionArn.split(":")[3],
        parameters: json(input),
        timeoutInSeconds: timeoutSeconds,
        heartbeatInSeconds: heartbeatSeconds,
      });
    }
    if (!kept) {
      this.taskEvent(run, task, "Started");
      if (!info.scope.includes("#map")) {
        rec.openTasks ??= {};
        rec.openTasks[info.name] = {
          scheduledAt: Date.now(),
          token: task.token,
          timeoutSeconds,
          heartbeatSeconds,
        };
      }
      this.opts.changed(rec);
      // On disk before the resource is called: a restart then knows this attempt (and its token) exist.
      await this.opts.persist().catch((err) => {
        console.error("[stepfunctions] could not persist before a Task:", (err as Error).message);
      });
      if (!this.isCurrent(run)) throw runEnded();
      if (task.finished) return never();
    }

    try {
      let result: unknown;
      if (task.token) {
        const callback =
          kept?.callback ??
          this.opts.tokens.wait(task.token, rec.executionArn, () => this.heartbeat(run, info.name));
        callback.catch(() => undefined); // awaited below; a heartbeat timeout may reject it before that
        const open = rec.openTasks?.[info.name];
        this.armHeartbeat(
          run,
          task,
          heartbeatSeconds,
          kept ? (open?.lastHeartbeatAt ?? open?.scheduledAt) : undefined,
        );
        if (!open?.submitted) {
          const submitted = await Promise.race([this.opts.integrations.call(resource, input), cancelled]);
          if (!task.finished && this.isCurrent(run)) {
            this.taskEvent(run, task, "Submitted", { output: json(submitted), outputDetails: NOT_TRUNCATED });
            if (open) open.submitted = true;
            this.opts.changed(rec);
          }
        }
        result = await Promise.race([callback, cancelled]);
      } else {
        result = await Promise.race([this.opts.integrations.call(resource, input), cancelled]);
      }
      if (!this.isCurrent(run)) throw runEnded();
      if (task.finished) return never();
      this.closeTask(run, task);
      this.taskEvent(run, task, "Succeeded", { output: json(result), outputDetails: NOT_TRUNCATED });
      this.opts.changed(rec);
      return result ?? null;
    } catch (err) {
      const failure =
        err instanceof TaskFailure
          ? err
          : new TaskFailure(
              "States.Runtime",
              `Local Step Functions error: ${(err as Error)?.message ?? err}`,
              { terminal: true },
            );
      if (!this.isCurrent(run)) throw runEnded();
      if (task.finished) throw failure; // heartbeat timeout: TaskTimedOut is already in the history
      this.closeTask(run, task);
      this.taskEvent(run, task, "Failed", { error: failure.error, cause: failure.causeText });
      this.opts.changed(rec);
      throw failure;
    }
  }

  private taskEvent(run: Run, task: ActiveTask, phase: string, details?: Json): void {
    const lambda = task.resource.kind === "lambda-function";
    const type = `${lambda ? "LambdaFunction" : "Task"}${phase}`;
    const full = lambda
      ? details
      : { resourceType: task.resource.resourceType, resource: task.resource.resource, ...details };
    const id = appendEvent(run.rec, type, full, run.lastOfState.get(task.name));
    run.lastOfState.set(task.name, id);
  }

  /** Arms the heartbeat timeout: `seconds` from now, or from `since` (epoch ms) for a resumed attempt. */
  private armHeartbeat(run: Run, task: ActiveTask, seconds: number | undefined, since?: number): void {
    if (seconds === undefined || task.finished) return;
    clearTimeout(task.heartbeatTimer);
    const delay = since === undefined ? seconds * 1000 : Math.max(0, since + seconds * 1000 - Date.now());
    task.heartbeatTimer = setTimeout(() => {
      if (task.finished || !task.token) return;
      // Fails the waiting handler (Retry/Catch see States.HeartbeatTimeout), then records TaskTimedOut.
      this.opts.tokens.fail(task.token, new TaskFailure("States.HeartbeatTimeout", undefined));
      this.timeOut(run, task, "States.HeartbeatTimeout");
    }, delay);
  }

  private timeOut(run: Run, task: ActiveTask, error: string): void {
    if (task.finished || !this.isCurrent(run)) return;
    this.closeTask(run, task);
    this.taskEvent(run, task, "TimedOut", { error });
    this.opts.changed(run.rec);
  }

  private closeTask(run: Run, task: ActiveTask, opts: { keepOpen?: boolean } = {}): void {
    task.finished = true;
    clearTimeout(task.timeoutTimer);
    clearTimeout(task.heartbeatTimer);
    if (task.token) this.opts.tokens.close(task.token);
    if (!opts.keepOpen) delete run.rec.openTasks?.[task.name];
    run.tasks.delete(task);
  }
}

/** The state named `name` in a definition (top level, Parallel branches, Map iterators). */
function findState(machine: Json, name: string): Json | undefined {
  const states = (machine.States ?? {}) as Record<string, Json>;
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    const nested = [...((state.Branches as Json[] | undefined) ?? [])];
    const iterator = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
    if (iterator) nested.push(iterator);
    for (const sub of nested) {
      const found = findState(sub, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A resumed Task's retriers continue where the history left them: while `active()`, MaxAttempts is what is
 * left and IntervalSeconds is where the backoff got to (the library counts attempts per state entry from 0).
 */
function continueRetries(state: Json, used: number[], active: () => boolean): void {
  ((state.Retry as Json[] | undefined) ?? []).forEach((retrier, i) => {
    const n = used[i] ?? 0;
    if (n === 0) return;
    const max = typeof retrier.MaxAttempts === "number" ? retrier.MaxAttempts : 3;
    const interval = typeof retrier.IntervalSeconds === "number" ? retrier.IntervalSeconds : 1;
    const rate = typeof retrier.BackoffRate === "number" ? retrier.BackoffRate : 2;
    Object.defineProperty(retrier, "MaxAttempts", {
      enumerable: true,
      configurable: true,
      get: () => (active() ? Math.max(0, max - n) : max),
    });
    Object.defineProperty(retrier, "IntervalSeconds", {
      enumerable: true,
      configurable: true,
      get: () => (active() ? interval * rate ** n : interval),
    });
  });
}

function secondsOf(value: unknown, path: unknown, input: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof path === "string") {
    const read = readPath(path, input);
    if (typeof read === "number" && read > 0) return read;
  }
  return undefined;
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === "string" ? cause : JSON.stringify(cause);
}
