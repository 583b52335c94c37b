/**
 * CodePipeline's EventBridge events, shaped as the CodePipeline user guide ("Monitoring CodePipeline events")
 * shows the emitted events: source "aws.codepipeline", resources [pipeline ARN], and a detail with pipeline,
 * execution-id, start-time, state, version and pipeline-execution-attempt (plus execution-trigger on pipeline
 * events, stage on stage events, action/type/execution-result on action events). They go to the default bus
 * through the edge with the real EventBridge client, in order, retried while the edge is not up yet. Each event
 * waits in the store's outbox (saved with the change that caused it) until EventBridge took it, so a restart
 * sends what a crash left unsent.
 *
 * AWS puts no failure reason in the emitted pipeline FAILED event (only CodeStar notifications add
 * additionalAttributes.failedActions); neither do we. The reason travels as AWS sends it: in the action FAILED
 * event's execution-result (external-execution-summary, error-code "JobFailed") and in GetPipelineExecution's
 * statusSummary.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { localClientConfig } from "../aws/client-config.js";
import type { LocalContext } from "../context.js";
import type { PendingEvent } from "./store.js";

export const PIPELINE_STATE_CHANGE = "CodePipeline Pipeline Execution State Change";
export const STAGE_STATE_CHANGE = "CodePipeline Stage Execution State Change";
export const ACTION_STATE_CHANGE = "CodePipeline Action Execution State Change";

export interface ExecutionRef {
  pipelineName: string;
  pipelineVersion: number;
  pipelineExecutionId: string;
  startTime: number;
  trigger: { triggerType: string; triggerDetail: string };
}

export interface ActionRef {
  name: string;
  actionTypeId: { category: string; owner: string; provider: string; version: string };
}

const ATTEMPTS = 8;
const BASE_DELAY_MS = 100;

export class StateChangeEmitter {
  private readonly client: EventBridgeClient;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: LocalContext,
    private readonly outbox: PendingEvent[],
    private readonly save: () => void,
  ) {
    this.client = new EventBridgeClient({ ...localClientConfig(ctx.edgeUrl), maxAttempts: 1 });
  }

  pipeline(exec: ExecutionRef, state: string, extra: Record<string, unknown> = {}): void {
    this.emit(exec, PIPELINE_STATE_CHANGE, {
      pipeline: exec.pipelineName,
      "execution-id": exec.pipelineExecutionId,
      "start-time": new Date(exec.startTime).toISOString(),
      "execution-trigger": {
        "trigger-type": exec.trigger.triggerType,
        "trigger-detail": exec.trigger.triggerDetail,
      },
      state,
      version: exec.pipelineVersion,
      "pipeline-execution-attempt": 1,
      ...extra,
    });
  }

  stage(exec: ExecutionRef, stage: string, state: string): void {
    this.emit(exec, STAGE_STATE_CHANGE, {
      pipeline: exec.pipelineName,
      "execution-id": exec.pipelineExecutionId,
      "start-time": new Date(exec.startTime).toISOString(),
      stage,
      state,
      version: exec.pipelineVersion,
      "pipeline-execution-attempt": 1,
    });
  }

  action(
    exec: ExecutionRef,
    stage: string,
    action: ActionRef,
    actionExecutionId: string,
    state: string,
    failure?: string,
  ): void {
    this.emit(exec, ACTION_STATE_CHANGE, {
      pipeline: exec.pipelineName,
      "execution-id": exec.pipelineExecutionId,
      "start-time": new Date(exec.startTime).toISOString(),
      stage,
      "action-execution-id": actionExecutionId,
      action: action.name,
      state,
      region: this.ctx.region,
      type: { ...action.actionTypeId },
      version: exec.pipelineVersion,
      "pipeline-execution-attempt": 1,
      ...(failure !== undefined
        ? {
            "execution-result": {
              "external-execution-summary": failure,
              "external-execution-id": actionExecutionId,
              "error-code": "JobFailed",
            },
          }
        : {}),
    });
  }

  /** Resolves once every event emitted so far has been put (or given up on). */
  flush(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
    this.client.destroy();
  }

  /** Sends what the outbox held at start. */
  resume(): void {
    for (const event of [...this.outbox]) this.send(event);
  }

  private emit(exec: ExecutionRef, detailType: string, detail: Record<string, unknown>): void {
    const event: PendingEvent = {
      detailType,
      detail,
      resources: [`arn:aws:codepipeline:${this.ctx.region}:${this.ctx.accountId}:${exec.pipelineName}`],
      time: Date.now(),
    };
    this.outbox.push(event);
    this.save();
    this.send(event);
  }

  private send(event: PendingEvent): void {
    const entry: PutEventsRequestEntry = {
      Source: "aws.codepipeline",
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Resources: event.resources,
      Time: new Date(event.time),
      EventBusName: "default",
    };
    this.chain = this.chain.then(async () => {
      // Unsent because the service stops: it stays in the outbox for the next start.
      if (!(await this.put(entry))) return;
      const i = this.outbox.indexOf(event);
      if (i >= 0) this.outbox.splice(i, 1);
      this.save();
    });
  }

  /** False when stopped before it was put; true once put (or given up on, logged). */
  private async put(entry: PutEventsRequestEntry): Promise<boolean> {
    for (let attempt = 0; attempt < ATTEMPTS && !this.stopped; attempt++) {
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
        if (out.FailedEntryCount) {
          console.error(`[codepipeline] EventBridge refused ${entry.DetailType}:`, out.Entries?.[0]);
        }
        return true;
      } catch (err) {
        if (this.stopped) return false;
        if (attempt === ATTEMPTS - 1) {
          console.error(`[codepipeline] could not put ${entry.DetailType} event:`, err);
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, BASE_DELAY_MS * 2 ** attempt));
      }
    }
    return false;
  }
}
