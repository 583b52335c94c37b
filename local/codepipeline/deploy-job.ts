/**
 * The local "deploy job" behind each pipeline execution: it walks the pipeline's stages, spends the configured
 * duration, then succeeds, or fails when failure injection says so, emitting CodePipeline's state-change events
 * at each step. QUEUED pipelines run one execution at a time, in start order; PARALLEL ones run all at once.
 * Stop and wait lets the running action finish before the execution becomes Stopped; stop and abandon stops
 * at once (the action is ABANDONED).
 *
 * Durable: the job's plan (duration, failure) and progress (stage, when it started, action ids) are in the
 * execution record, so after a restart (crash or stop) resume() continues it: the stage in flight ends when it
 * was going to, without its STARTED events again; queued executions run after it, in start order.
 */
import { randomUUID } from "node:crypto";
import type { StateChangeEmitter } from "./events.js";
import type {
  ExecutionRecord,
  ExecutionStatus,
  PipelineRecord,
  PipelineStore,
  StageDeclaration,
} from "./store.js";

export interface PipelineBehaviour {
  durationMs?: number;
  /** A failure reason: executions started while it is set fail with it. */
  fail?: string;
  /**
   * Only runs whose variables have these values get this behaviour (e.g. {TENANT_SLUG: "acme"}), so tests
   * sharing one cloud can fail or slow one tenant's runs without touching the others'. One behaviour is kept
   * per match; setting one again (even empty) replaces it.
   */
  match?: Record<string, string>;
}

/** A pipeline variable that makes a run fail locally with its value as the reason. */
export const FAIL_VARIABLE = "EMBARK_LOCAL_FAIL";

interface RunningStage {
  stage: StageDeclaration;
  actionIds: string[];
  abort: AbortController;
  stopAfterAction: boolean;
}

export class DeployJobs {
  private readonly running = new Map<string, RunningStage>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly store: PipelineStore,
    private readonly emitter: StateChangeEmitter,
    private readonly behaviourOf: (pipeline: string, variables: Record<string, string>) => PipelineBehaviour,
    private readonly defaultDurationMs: number,
  ) {}

  launch(exec: ExecutionRecord, pipeline: PipelineRecord): void {
    this.emitter.pipeline(exec, "STARTED");
    this.enqueue(exec, pipeline);
  }

  /** Continues an execution InProgress or Stopping when the process last ended. */
  resume(exec: ExecutionRecord, pipeline: PipelineRecord): void {
    this.enqueue(exec, pipeline);
  }

  private enqueue(exec: ExecutionRecord, pipeline: PipelineRecord): void {
    const job = () =>
      this.run(exec, pipeline).catch((err) => {
        console.error(`[codepipeline] execution ${exec.pipelineExecutionId} crashed:`, err);
        this.finish(exec, "Failed", `Local deploy job crashed: ${String(err)}`);
      });
    if (exec.executionMode === "PARALLEL") {
      void job();
      return;
    }
    const previous = this.queues.get(pipeline.name) ?? Promise.resolve();
    const next = previous.then(job);
    this.queues.set(pipeline.name, next);
  }

  /** Stops an InProgress or Stopping execution (the service checked which stops are allowed). */
  stop(exec: ExecutionRecord, abandon: boolean, reason: string | undefined): void {
    const current = this.running.get(exec.pipelineExecutionId);
    if (exec.status === "InProgress") {
      exec.stopTrigger = reason === undefined ? {} : { reason };
      this.setStatus(exec, "Stopping", reason);
      this.emitter.pipeline(
        exec,
        "STOPPING",
        reason === undefined ? {} : { "stop-execution-comments": reason },
      );
      if (current) this.emitter.stage(exec, current.stage.name, "STOPPING");
    }
    if (!current) {
      // Still waiting in the queue: nothing runs yet, so it is stopped at once.
      this.finish(exec, "Stopped", reason);
      return;
    }
    if (!abandon) {
      current.stopAfterAction = true;
      return;
    }
    current.abort.abort();
    this.running.delete(exec.pipelineExecutionId);
    this.actions(exec, current, "ABANDONED");
    this.emitter.stage(exec, current.stage.name, "STOPPED");
    this.finish(exec, "Stopped", reason);
  }

  /** Aborts running jobs without touching their records (the next start resumes them). */
  shutdown(): void {
    for (const r of this.running.values()) r.abort.abort();
    this.running.clear();
  }

  private async run(exec: ExecutionRecord, pipeline: PipelineRecord): Promise<void> {
    // Stopped while queued; or resumed while Stopping before a stage ran.
    if (exec.status !== "InProgress" && !(exec.status === "Stopping" && exec.job)) {
      if (exec.status === "Stopping") this.finish(exec, "Stopped", exec.stopTrigger?.reason);
      return;
    }
    const resumed = exec.job;
    if (!exec.job) {
      const variables = Object.fromEntries(exec.variables.map((v) => [v.name, v.resolvedValue]));
      const behaviour = this.behaviourOf(pipeline.name, variables);
      exec.job = {
        durationMs: behaviour.durationMs ?? this.defaultDurationMs,
        failure: (variables[FAIL_VARIABLE] || undefined) ?? behaviour.fail,
        stageIndex: 0,
        stageStartedAt: Date.now(),
        actionIds: [],
      };
    }
    const job = exec.job;
    const duration = job.durationMs;
    const failure = job.failure;
    const stages = pipeline.stages;
    for (const [i, stage] of stages.entries()) {
      if (i < job.stageIndex) continue; // finished before a restart
      const inFlight = resumed !== undefined && i === job.stageIndex && job.actionIds.length > 0;
      const current: RunningStage = {
        stage,
        actionIds: inFlight ? job.actionIds : stage.actions.map(() => randomUUID()),
        abort: new AbortController(),
        stopAfterAction: exec.status === "Stopping",
      };
      this.running.set(exec.pipelineExecutionId, current);
      if (!inFlight) {
        job.stageIndex = i;
        job.stageStartedAt = Date.now();
        job.actionIds = current.actionIds;
        this.emitter.stage(exec, stage.name, "STARTED");
        this.actions(exec, current, "STARTED");
      }

      const ends = job.stageStartedAt + duration / stages.length;
      const completed = await sleep(Math.max(0, ends - Date.now()), current.abort.signal);
      if (!completed) return; // abandoned or shut down: stop() or the next boot records the outcome
      this.running.delete(exec.pipelineExecutionId);

      const failHere = failure !== undefined && failure !== "" && i === stages.length - 1;
      if (failHere && !current.stopAfterAction) {
        this.actions(exec, current, "FAILED", failure);
        this.emitter.stage(exec, stage.name, "FAILED");
        this.finish(exec, "Failed", failure);
        return;
      }
      if (!current.stopAfterAction) {
        // Saved with the first event below: a restart from here goes on with the next stage.
        job.stageIndex = i + 1;
        job.actionIds = [];
      }
      this.actions(exec, current, "SUCCEEDED");
      if (current.stopAfterAction) {
        this.emitter.stage(exec, stage.name, "STOPPED");
        this.finish(exec, "Stopped", exec.stopTrigger?.reason);
        return;
      }
      this.emitter.stage(exec, stage.name, "SUCCEEDED");
    }
    this.finish(exec, "Succeeded", undefined);
  }

  private actions(exec: ExecutionRecord, current: RunningStage, state: string, failure?: string): void {
    for (const [i, action] of current.stage.actions.entries()) {
      this.emitter.action(exec, current.stage.name, action, current.actionIds[i]!, state, failure);
    }
  }

  private finish(
    exec: ExecutionRecord,
    status: "Succeeded" | "Failed" | "Stopped",
    summary: string | undefined,
  ): void {
    this.setStatus(exec, status, summary);
    this.emitter.pipeline(exec, status.toUpperCase());
  }

  private setStatus(exec: ExecutionRecord, status: ExecutionStatus, summary: string | undefined): void {
    exec.status = status;
    if (summary === undefined) delete exec.statusSummary;
    else exec.statusSummary = summary;
    exec.lastUpdateTime = Date.now();
    this.store.save().catch((err) => console.error("[codepipeline] could not save state:", err));
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
