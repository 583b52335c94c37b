// Runs executions with aws-local-stepfunctions and turns what happens into AWS-shaped history.
//
// Every Task state (at any depth: Parallel branches and Map iterators included, since AWS state names are
// unique across a machine) gets a taskResourceLocalHandlers entry that runs the resource through
// Integrations and writes the Task*/LambdaFunction* events. State and execution events come from the
// library's event log, which is consumed synchronously: each handler first yields one macrotask
// (setImmediate) so that the StateEntered/StateRetried events queued before it are in the history first.
//
// A run ends when the library reports ExecutionSucceeded/Failed/Timeout, or when StopExecution or the
// service's stop() aborts it. A run that is no longer current is ignored from then on: its late events are
// dropped and its pending handlers fail with a terminal (neither retried nor caught) error, so the library
// stops at once and clears its timers.
import { StateMachine } from "aws-local-stepfunctions";
import { contextObject, newPlaceholders, resolvePlaceholders } from "./context-object.js";
import { type PreparedDefinition, prepareDefinition, type StateInfo } from "./definition.js";
import { appendEvent, json, lastEventId, NOT_TRUNCATED } from "./history.js";
import { type Integrations, parseResource, type TaskResource } from "./integrations.js";
import { readPath } from "./json-path.js";
import type { ExecutionRecord, ExecutionStatus } from "./model.js";
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
}

export interface EngineOptions {
  retryIntervalScale: number;
  integrations: Integrations;
  tokens: TaskTokens;
  /** The record changed: persist it. */
  changed(rec: ExecutionRecord): void;
  /** The execution's status changed: emit the status-change event. */
  statusChanged(rec: ExecutionRecord): void;
}

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
  start(rec: ExecutionRecord, from?: { state: string; input: unknown }): void {
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
    };
    this.runs.set(rec.executionArn, run);

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const info of prepared.states.values()) {
      if (info.type === "Task") handlers[info.name] = (input) => this.runTask(run, info, input);
    }
    const machine = new StateMachine(prepared.definition as never, {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run((from ? from.input : JSON.parse(rec.input)) as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
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

  /** StopExecution / service stop: ABORTED, with an ExecutionAborted event. */
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

  private endRun(run: Run): void {
    if (this.isCurrent(run)) this.runs.delete(run.rec.executionArn);
    for (const task of run.tasks) {
      this.closeTask(run, task);
      task.cancel(runEnded());
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
    switch (event.type) {
      case "StateEntered": {
        const { name, type, input } = event.state;
        const lane = this.laneOf(run, name, event.index);
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
    // Armed before the library arms its own TimeoutSeconds timer of the same length, so this one fires first
    // and records TaskTimedOut; the library then fails the state with its own States.Timeout error (which
    // Retry/Catch treat as AWS does: States.TaskFailed does not match it).
    const timeoutSeconds = secondsOf(def.TimeoutSeconds, def.TimeoutSecondsPath, rawInput);
    if (timeoutSeconds !== undefined) {
      task.timeoutTimer = setTimeout(() => this.timeOut(run, task, "States.Timeout"), timeoutSeconds * 1000);
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.isCurrent(run)) throw runEnded();
    // Timed out already: the library's own timer fails the state (settling now would pre-empt it).
    if (task.finished) return never();

    const rec = run.rec;
    if (resource.waitForTaskToken) {
      task.token = this.opts.tokens.mint();
      rec.taskTokens.push(task.token);
    }
    const input = resolvePlaceholders(rawInput, this.placeholders, {
      token: task.token,
      retryCount: run.retryCounts.get(info.name) ?? 0,
    });
    const heartbeatSeconds = resource.waitForTaskToken
      ? secondsOf(def.HeartbeatSeconds, def.HeartbeatSecondsPath, rawInput)
      : undefined;
    if (resource.kind === "lambda-function") {
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
    this.taskEvent(run, task, "Started");
    this.opts.changed(rec);

    try {
      let result: unknown;
      if (task.token) {
        const callback = this.opts.tokens.wait(task.token, rec.executionArn, () =>
          this.armHeartbeat(run, task, heartbeatSeconds),
        );
        callback.catch(() => undefined); // awaited below; a heartbeat timeout may reject it before that
        this.armHeartbeat(run, task, heartbeatSeconds);
        const submitted = await Promise.race([this.opts.integrations.call(resource, input), cancelled]);
        if (!task.finished && this.isCurrent(run)) {
          this.taskEvent(run, task, "Submitted", { output: json(submitted), outputDetails: NOT_TRUNCATED });
          this.opts.changed(rec);
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

  private armHeartbeat(run: Run, task: ActiveTask, seconds: number | undefined): void {
    if (seconds === undefined || task.finished) return;
    clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(() => {
      if (task.finished || !task.token) return;
      // Fails the waiting handler (Retry/Catch see States.HeartbeatTimeout), then records TaskTimedOut.
      this.opts.tokens.fail(task.token, new TaskFailure("States.HeartbeatTimeout", undefined));
      this.timeOut(run, task, "States.HeartbeatTimeout");
    }, seconds * 1000);
  }

  private timeOut(run: Run, task: ActiveTask, error: string): void {
    if (task.finished || !this.isCurrent(run)) return;
    this.closeTask(run, task);
    this.taskEvent(run, task, "TimedOut", { error });
    this.opts.changed(run.rec);
  }

  private closeTask(run: Run, task: ActiveTask): void {
    task.finished = true;
    clearTimeout(task.timeoutTimer);
    clearTimeout(task.heartbeatTimer);
    if (task.token) this.opts.tokens.close(task.token, run.rec.executionArn);
    run.tasks.delete(task);
  }
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
