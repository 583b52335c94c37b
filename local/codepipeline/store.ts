/**
 * Pipelines, their executions (with their deploy jobs' progress) and the events not yet put, kept as one JSON
 * file (written atomically) so they survive restarts of the local cloud.
 */

import { join } from "node:path";
import { StateFile } from "../aws/state-file.js";

export interface VariableDeclaration {
  name: string;
  defaultValue?: string;
  description?: string;
}

export interface ActionDeclaration {
  name: string;
  actionTypeId: { category: string; owner: string; provider: string; version: string };
  runOrder?: number;
  configuration?: Record<string, string>;
  [key: string]: unknown;
}

export interface StageDeclaration {
  name: string;
  actions: ActionDeclaration[];
  [key: string]: unknown;
}

export type ExecutionMode = "QUEUED" | "PARALLEL";

export interface PipelineRecord {
  name: string;
  version: number;
  variables: VariableDeclaration[];
  stages: StageDeclaration[];
  executionMode: ExecutionMode;
  roleArn?: string;
  artifactStore?: unknown;
  created: number;
  updated: number;
}

export type ExecutionStatus = "InProgress" | "Stopping" | "Stopped" | "Succeeded" | "Failed";

export interface ExecutionRecord {
  pipelineName: string;
  pipelineVersion: number;
  pipelineExecutionId: string;
  status: ExecutionStatus;
  statusSummary?: string;
  variables: Array<{ name: string; resolvedValue: string }>;
  executionMode: ExecutionMode;
  trigger: { triggerType: string; triggerDetail: string };
  stopTrigger?: { reason?: string };
  clientRequestToken?: string;
  startTime: number;
  lastUpdateTime: number;
  /** The deploy job's progress, so a restart continues it (absent while the execution waits in its queue). */
  job?: JobProgress;
}

export interface JobProgress {
  durationMs: number;
  failure?: string;
  /** The stage running and when it started (epoch ms): it ends at stageStartedAt + durationMs / stages. */
  stageIndex: number;
  stageStartedAt: number;
  actionIds: string[];
}

/** A state-change event not yet put on the bus (outbox: written with the change, removed once put). */
export interface PendingEvent {
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
  /** Epoch ms. */
  time: number;
}

interface PipelineState {
  version: 1;
  pipelines: PipelineRecord[];
  executions: ExecutionRecord[];
  outbox?: PendingEvent[];
}

export class PipelineStore {
  readonly pipelines = new Map<string, PipelineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  readonly outbox: PendingEvent[] = [];
  private readonly file: StateFile<PipelineState>;

  constructor(dir: string) {
    this.file = new StateFile(join(dir, "codepipeline.json"));
  }

  async load(): Promise<void> {
    const state = await this.file.read();
    if (!state) return;
    for (const p of state.pipelines ?? []) this.pipelines.set(p.name, p);
    for (const e of state.executions ?? []) this.executions.set(e.pipelineExecutionId, e);
    this.outbox.push(...(state.outbox ?? []));
  }

  /** Writes the whole state (write-then-rename, one write at a time) and resolves when it is on disk. */
  save(): Promise<void> {
    return this.file.write({
      version: 1,
      pipelines: [...this.pipelines.values()],
      executions: [...this.executions.values()],
      outbox: this.outbox,
    });
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}
